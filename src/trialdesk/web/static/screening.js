// Live eligibility check of the screening form: posts the form to /screen/check as the user
// types and shows the failing criteria and missing fields before the form is submitted.
// Plain JavaScript, no build step; without it the "Check eligibility" button does the same.
(function () {
  "use strict";
  var form = document.getElementById("screening-form");
  var panel = document.getElementById("eligibility");
  if (!form || !panel) { return; }
  var timer = null;

  function render(result) {
    panel.className = "eligibility " + (result.eligible ? "passing" : (result.missing.length && !result.reasons.length ? "incomplete" : "failing"));
    var parts = [];
    if (result.eligible) { parts.push("<strong>Eligible</strong> on the data entered."); }
    if (result.reasons.length) {
      parts.push("<strong>Not eligible:</strong><ul>" + result.reasons.map(function (r) { return "<li>" + escapeHtml(r) + "</li>"; }).join("") + "</ul>");
    }
    if (result.missing.length) {
      parts.push("<strong>Not assessable yet, missing:</strong> " + result.missing.map(escapeHtml).join(", "));
    }
    if (result.problem) { parts.push("<strong>Check the field " + escapeHtml(result.problem.field || "") + ":</strong> " + escapeHtml(result.problem.message)); }
    panel.innerHTML = parts.join("");
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  function check() {
    var data = new FormData(form);
    fetch(form.dataset.checkUrl, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRF-Token": data.get("csrf_token"), "Accept": "application/json" }
    }).then(function (response) { return response.json(); }).then(render).catch(function () {});
  }

  form.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(check, 250);
  });
  form.addEventListener("change", check);
  check();
}());
