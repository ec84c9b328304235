// Upload with a progress bar (XMLHttpRequest upload events), then show the page the
// server renders. Plain JS, no libraries.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    // The button pressed says what to do (show the file's fields, or import).
    if (event.submitter && event.submitter.name) {
      data.append(event.submitter.name, event.submitter.value);
    }
    var xhr = new XMLHttpRequest();
    // Not form.action: the buttons are named "action", so that is a RadioNodeList.
    xhr.open("POST", form.getAttribute("action") || window.location.pathname);
    bar.hidden = false;
    bar.value = 0;
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        bar.value = Math.round((e.loaded / e.total) * 100);
        status.textContent = bar.value + " %";
      }
    });
    xhr.addEventListener("load", function () {
      bar.value = 100;
      // The server answers with the whole page (report or problems): show it.
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () {
      // The text comes from the catalogue (app/i18n.py) in the page's #server-strings block.
      var strings = {};
      try {
        strings = JSON.parse(document.getElementById("server-strings").textContent || "{}");
      } catch (e) {
        strings = {};
      }
      var lang = document.documentElement.lang === "en" ? "en" : "th";
      var entry = strings["imports.upload_failed"];
      status.textContent = entry ? entry[lang] : "";
    });
    xhr.send(data);
  });
})();
