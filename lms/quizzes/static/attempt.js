// Autosave for an open quiz attempt: answers are posted as JSON to the attempt's save URL a moment after each
// change (CSRF token in the X-CSRFToken header), so a reload or a second device finds them saved.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) { return; }
  var status = document.getElementById("quiz-save-status");
  var token = form.querySelector("input[name=csrf_token]").value;
  var timer = null;
  var pending = {};

  function answerOf(fieldset) {
    var type = fieldset.getAttribute("data-type");
    var name = "q-" + fieldset.getAttribute("data-question");
    var i;
    if (type === "single_choice" || type === "true_false") {
      var checked = fieldset.querySelector("input:checked");
      if (!checked) { return null; }
      if (type === "true_false") { return checked.value === "true"; }
      return checked.value;
    }
    if (type === "multiple_response") {
      var values = [];
      var boxes = fieldset.querySelectorAll("input:checked");
      for (i = 0; i < boxes.length; i++) { values.push(boxes[i].value); }
      return values;
    }
    if (type === "numeric" || type === "short_text") {
      var value = form.elements[name].value;
      return value.trim() === "" ? null : value;
    }
    if (type === "ordering") {
      var selects = fieldset.querySelectorAll("select[data-item]");
      var items = [];
      for (i = 0; i < selects.length; i++) {
        if (selects[i].value === "") { return null; }
        items.push({ id: selects[i].getAttribute("data-item"), pos: parseInt(selects[i].value, 10), i: i });
      }
      items.sort(function (a, b) { return a.pos - b.pos || a.i - b.i; });
      return items.map(function (item) { return item.id; });
    }
    if (type === "matching") {
      var chosen = {};
      var any = false;
      var prompts = fieldset.querySelectorAll("select[data-prompt]");
      for (i = 0; i < prompts.length; i++) {
        if (prompts[i].value !== "") {
          chosen[prompts[i].getAttribute("data-prompt")] = parseInt(prompts[i].value, 10);
          any = true;
        }
      }
      return any ? chosen : null;
    }
    return null;
  }

  function say(text) { if (status) { status.textContent = text; } }

  function save() {
    timer = null;
    var answers = pending;
    pending = {};
    if (Object.keys(answers).length === 0) { return; }
    var request = new XMLHttpRequest();
    request.open("POST", form.getAttribute("data-save-url"));
    request.setRequestHeader("Content-Type", "application/json");
    request.setRequestHeader("X-CSRFToken", token);
    request.onload = function () {
      var body = {};
      try { body = JSON.parse(request.responseText); } catch (e) { body = {}; }
      if (request.status === 200) {
        say(form.getAttribute("data-saved-text") || ("✓ " + new Date().toLocaleTimeString()));
      } else {
        say(body.error ? body.error.message : String(request.status));
      }
    };
    request.onerror = function () {
      Object.keys(answers).forEach(function (k) { if (!(k in pending)) { pending[k] = answers[k]; } });
      say("…");
    };
    request.send(JSON.stringify({ answers: answers }));
  }

  function changed(event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (!fieldset) { return; }
    pending[fieldset.getAttribute("data-question")] = answerOf(fieldset);
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 600);
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", changed);

  var clock = document.getElementById("quiz-timer");
  if (clock) {
    var deadline = new Date(clock.getAttribute("data-deadline"));
    var tick = function () {
      var left = Math.max(0, Math.floor((deadline - new Date()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      clock.textContent = "⏱ " + minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      if (left > 0) { setTimeout(tick, 1000); }
    };
    tick();
  }
}());
