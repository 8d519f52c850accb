// Live preview of a lesson being edited: the server renders it with the same pipeline as sync.
(function () {
  "use strict";
  var form = document.getElementById("lesson-editor");
  if (!form) { return; }
  var source = form.querySelector("textarea");
  var preview = document.getElementById("preview");
  var problems = document.getElementById("preview-problems");
  var timer = null;
  function refresh() {
    var body = new FormData(form);
    fetch(form.dataset.previewUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.ok) {
          preview.innerHTML = data.html; // sanitised on the server by the same allow-list as sync
          problems.textContent = "";
        } else {
          problems.textContent = data.problems.join("\n");
        }
      })
      .catch(function () { problems.textContent = ""; });
  }
  source.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
}());
