// Saves the practicum report draft while the trainee writes: two seconds after the last keystroke, and when
// the page is hidden. Works with the normal "Save draft" button too; without JavaScript nothing changes.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form) { return; }
  var status = form.querySelector(".autosave-status");
  var token = form.querySelector("input[name=csrf_token]").value;
  var revision = form.getAttribute("data-revision");
  var dirty = {};
  var timer = null;
  var busy = false;

  function say(text) { if (status) { status.textContent = text; } }

  function save() {
    timer = null;
    var keys = Object.keys(dirty);
    if (!keys.length || busy) { return; }
    var sections = {};
    keys.forEach(function (k) { sections[k] = dirty[k]; });
    dirty = {};
    busy = true;
    fetch(form.getAttribute("data-autosave-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ sections: sections, revision: revision === "" ? null : Number(revision) })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      busy = false;
      if (result.ok) {
        revision = String(result.body.revision);
        var at = new Date(result.body.saved_at);
        say(form.getAttribute("data-saved-text") + " " + at.toLocaleTimeString());
        if (Object.keys(dirty).length) { schedule(); }  // typed while this save was on its way
      } else {
        // A refusal (under review, stale tab, too long) is shown and not retried; the Save draft button
        // still sends every section.
        say(form.getAttribute("data-error-text") + " " + (result.body.error || ""));
      }
    }).catch(function () {
      busy = false;
      Object.keys(sections).forEach(function (k) { if (!(k in dirty)) { dirty[k] = sections[k]; } });
      say(form.getAttribute("data-error-text"));
      schedule(10000);  // offline or server unreachable: try again a little later
    });
  }

  function schedule(delay) {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, delay || 2000);
  }

  form.addEventListener("input", function (event) {
    var section = event.target.getAttribute("data-section");
    if (!section) { return; }
    dirty[section] = event.target.value;
    schedule();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { save(); }
  });
  form.addEventListener("submit", function () { if (timer) { clearTimeout(timer); } dirty = {}; });
})();
