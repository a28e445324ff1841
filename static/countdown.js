// The countdown of an attempt's pages (each question and the review): counted from the server's
// remaining seconds, never from the browser's clock; re-synchronised by every save and checked
// against the server every half minute; announced to screen readers at 10, 5 and 1 minutes left;
// at zero it submits the attempt. A page with more to do first (the question page saves what is
// pending) sets window.quizClock.beforeSubmit.
(function () {
  "use strict";
  var root = document.querySelector("[data-seconds-left][data-state-url]");
  var countdown = document.getElementById("countdown");
  if (!root || !countdown) return;
  var announcer = document.getElementById("time-announcer");
  var deadline = Date.now() + parseInt(root.dataset.secondsLeft, 10) * 1000;
  var announced = {}, submitting = false;

  var clock = window.quizClock = {
    resync: function (secondsLeft) { deadline = Date.now() + secondsLeft * 1000; },
    beforeSubmit: function (submit) { submit(); }
  };
  function format(s) {
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(r).padStart(2, "0");
  }
  function announce(text) { if (announcer) announcer.textContent = text; }
  function submitAtDeadline() {
    announce("Time is up: your answers are being submitted.");
    clock.beforeSubmit(function () { document.getElementById("deadline-form").submit(); });
  }
  function tick() {
    var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
    countdown.textContent = format(left);
    countdown.parentElement.classList.toggle("low", left <= 300);
    [10, 5, 1].forEach(function (minutes) {  // announced to screen readers, not every second
      if (left <= minutes * 60 && left > minutes * 60 - 5 && !announced[minutes]) {
        announced[minutes] = true;
        announce(minutes + (minutes === 1 ? " minute" : " minutes") + " left.");
      }
    });
    // The server sends whole seconds rounded down, so its deadline can be up to 1 s after ours:
    // submit only once it has surely passed, or the server takes it for an early, unconfirmed submit.
    if (left === 0 && Date.now() >= deadline + 1000 && !submitting) { submitting = true; submitAtDeadline(); }
  }
  setInterval(tick, 250);

  // Every half minute the clock is checked against the server's, even with no saves.
  setInterval(function () {
    fetch(root.dataset.stateUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (body.status && body.status !== "in_progress") { window.location.href = root.dataset.dashboardUrl; return; }
        if (typeof body.seconds_left === "number") clock.resync(body.seconds_left);
      }).catch(function () {});
  }, 30000);
})();
