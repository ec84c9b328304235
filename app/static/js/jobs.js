// A background job's page (templates/jobs/show.html): poll /api/jobs/<id> every
// two seconds until the job is done or failed, and show its progress, step and
// download link in the page's language. The page's first state comes from the server,
// so a reload shows where the job is.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var lang = document.documentElement.lang === "en" ? "en" : "th";
  var api = box.getAttribute("data-api");
  var byId = function (id) { return document.getElementById(id); };

  function show(job) {
    box.setAttribute("data-status", job.status);
    byId("job-status").textContent = job.status_label[lang];
    byId("job-progress").value = job.progress;
    byId("job-progress").textContent = Math.round(job.progress * 100) + "%";
    byId("job-percent").textContent = Math.round(job.progress * 100) + "%";
    byId("job-step").textContent = job.step_label[lang];
    byId("job-attempts").textContent = String(job.attempts);
    if (job.finished_at) byId("job-finished").textContent = job.finished_at[lang];
    var error = byId("job-error");
    if (job.status === "failed" && job.error) {
      error.textContent = job.error[lang];
      error.hidden = false;
    }
    if (job.links && job.links.result) {
      var link = byId("job-download-link");
      link.href = job.links.result;
      byId("job-result-name").textContent = job.result_name || "";
      byId("job-download").hidden = false;
    }
  }

  function poll() {
    fetch(api, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) return;
        show(job);
        if (job.status === "queued" || job.status === "running") setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }

  var status = box.getAttribute("data-status");
  if (status === "queued" || status === "running") setTimeout(poll, 1000);
})();
