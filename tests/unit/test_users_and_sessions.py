"""Users, passwords and login sessions."""

from datetime import timedelta

import pytest

from cases import services
from cases.errors import InvalidInput, NotFound

DAY = timedelta(days=1)


def test_users_and_passwords(store):
    user = services.add_user(store.uow(), "somchai", "long-password-1", "officer")
    assert user.password_hash and "long-password-1" not in user.password_hash
    assert services.authenticate(store.uow(), "somchai", "long-password-1").role == "officer"
    assert services.authenticate(store.uow(), "somchai", "wrong") is None
    assert services.authenticate(store.uow(), "nobody", "long-password-1") is None
    with pytest.raises(InvalidInput, match="exists"):
        services.add_user(store.uow(), "somchai", "long-password-1", "officer")
    with pytest.raises(InvalidInput, match="role"):
        services.add_user(store.uow(), "x1", "long-password-1", "king")
    with pytest.raises(InvalidInput, match="community"):
        services.add_user(store.uow(), "rep2", "long-password-1", "community_rep")
    with pytest.raises(InvalidInput, match="at least 10"):
        services.add_user(store.uow(), "short", "short", "viewer")
    with pytest.raises(NotFound):
        services.add_user(store.uow(), "rep3", "long-password-1", "community_rep", community_id="X")


def test_sessions_end_with_logout_idleness_and_a_new_password(store):
    user = services.add_user(store.uow(), "somchai", "long-password-1", "officer")
    token = services.start_session(store.uow(), user, max_age=DAY)
    assert services.resume_session(store.uow(), token, idle=DAY, max_age=DAY).username == "somchai"
    # Idle longer than allowed (here: any time at all, to the second): ended.
    assert (
        services.resume_session(store.uow(), token, idle=-timedelta(seconds=1), max_age=DAY) is None
    )
    assert services.resume_session(store.uow(), token, idle=DAY, max_age=DAY) is None  # ended
    second = services.start_session(store.uow(), user, max_age=DAY)
    assert services.end_sessions(store.uow(), second) == 1
    assert services.resume_session(store.uow(), second, idle=DAY, max_age=DAY) is None
    third = services.start_session(store.uow(), user, max_age=DAY)
    assert services.change_password(store.uow(), "somchai", "another-password-2") == 1
    assert services.resume_session(store.uow(), third, idle=DAY, max_age=DAY) is None
    assert services.authenticate(store.uow(), "somchai", "another-password-2") is not None


def test_disabled_users_and_new_roles(store):
    services.add_user(store.uow(), "somchai", "long-password-1", "officer")
    services.set_user_active(store.uow(), "somchai", False)
    assert services.authenticate(store.uow(), "somchai", "long-password-1") is None
    rep = services.set_user_role(store.uow(), "somchai", "community_rep", community_id="KPP-CC-01")
    assert (rep.role, rep.community_id) == ("community_rep", "KPP-CC-01")
    officer = services.set_user_role(store.uow(), "somchai", "officer", community_id="KPP-CC-01")
    assert officer.community_id is None
    assert [u.username for u in services.list_users(store.uow())] == ["somchai"]
