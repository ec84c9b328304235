"""Case tracking for CODI's housing programmes.

The domain model (`model`, `workflow`, `policy`) is plain Python with no Flask
or database import. It sits behind a repository and unit of work
(`repository`, `unit_of_work`); `services` is what the web app and the CLI call.
"""
