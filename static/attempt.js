// The attempt page: autosave each change, flags, integrity signals, and saving what is pending
// before the automatic submit at the deadline (the countdown itself is static/countdown.js).
// Without JavaScript the same page works through its plain form posts.
(function () {
  "use strict";
  var root = document.getElementById("attempt");
  if (!root) return;
  var form = document.getElementById("answer-form");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var status = document.getElementById("save-status");
  var warning = document.getElementById("save-warning");
  var position = parseInt(root.dataset.position, 10);

  // --- the clock is countdown.js's: saves re-synchronise it, and its submit at zero waits for them
  var clock = window.quizClock || {resync: function () {}};  // without countdown.js: saving still works
  function resync(secondsLeft) { clock.resync(secondsLeft); }

  // --- saving --------------------------------------------------------------------------
  var seq = parseInt(root.dataset.seq, 10) || 0;
  var lastSent = 0, inFlight = null, dirty = false, retryTimer = null, retryDelay = 1000, pendingEdit = false;

  function fields() {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrf_token" || name === "flagged" || name === "go") return;
      (data[name] = data[name] || []).push(value);
    });
    form.querySelectorAll("select, textarea, input[type=text]").forEach(function (el) {
      if (!(el.name in data) && el.name !== "csrf_token") data[el.name] = [el.value];
    });
    return data;
  }
  function post(url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json"},
      body: JSON.stringify(body)});
  }
  // What the question type says about a kept but unfinished answer (positions shared or missing).
  var notice = document.getElementById("answer-notice");
  function showNotice(text) {
    if (!notice) return;
    notice.textContent = text || "";
    notice.hidden = !text;
  }
  function showWarning(text) { warning.textContent = text; warning.hidden = false; }
  function clearWarning() { warning.hidden = true; warning.textContent = ""; }
  function markNav(state, on) {
    var li = document.querySelector('.question-nav li[data-position="' + position + '"]');
    if (!li) return;
    li.classList.toggle(state, !!on);
    var states = [li.classList.contains("answered") ? "answered" : "not answered"];
    if (li.classList.contains("flagged")) states.push("flagged");
    var label = li.querySelector(".state-label");  // what a screen reader hears for this link
    if (label) label.textContent = ", " + states.join(", ");
  }

  function save() {
    pendingEdit = false;
    if (inFlight) { dirty = true; return; }
    clearTimeout(retryTimer); retryTimer = null;
    dirty = false;
    seq += 1;
    var mySeq = seq;
    lastSent = mySeq;
    status.textContent = "Saving…";
    inFlight = post(root.dataset.saveUrl, {fields: fields(), seq: mySeq}).then(function (response) {
      var isJson = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (response.redirected || !isJson) throw new Error("unexpected answer");
      return response.json().then(function (body) {
        if (response.status === 401) {
          showWarning(body.error);  // logged out: keep retrying, the saves resume once they log in again
          status.textContent = "Not saved";
          throw new Error("logged out");
        }
        if (response.ok) {
          clearWarning(); retryDelay = 1000;
          if (typeof body.seconds_left === "number") resync(body.seconds_left);
          if (!body.saved && body.seq >= mySeq && mySeq === lastSent) {
            // another device saved a newer answer in between: ours is the latest here, send it again
            seq = body.seq; dirty = true;
          } else {
            seq = Math.max(seq, body.seq);
            status.textContent = "Saved " + body.saved_at_display;
            markNav("answered", body.answered);
            showNotice(body.notice);
          }
        } else if (response.status === 409) {
          showWarning(body.error || "This attempt is closed; answers can no longer change.");
          window.location.href = root.dataset.dashboardUrl;
        } else if (response.status === 422) {
          showWarning(body.error || "This answer could not be saved.");
          status.textContent = "Not saved";
        } else {
          var failure = new Error(body.error || ("HTTP " + response.status));
          failure.unavailable = response.status === 503;  // the server's database is down for a moment
          throw failure;
        }
      });
    }).catch(function (error) {
      if (error && error.unavailable) {
        showWarning("Your last change is NOT saved yet: the server is briefly unavailable. Retrying…");
      } else if (!error || error.message !== "logged out") {
        showWarning("Your last change is NOT saved yet: the connection failed. Retrying…");
      }
      status.textContent = "Not saved";
      retryTimer = setTimeout(save, retryDelay);  // retried until it succeeds or the time is up
      retryDelay = Math.min(retryDelay * 2, 15000);
    }).finally(function () {
      inFlight = null;
      if (dirty && !retryTimer) save();
    });
  }

  var typingTimer = null;
  form.addEventListener("change", function (event) {
    if (event.target.name === "flagged") return saveFlag(event.target.checked);
    save();
  });
  form.addEventListener("input", function (event) {
    if (event.target.tagName !== "TEXTAREA" && event.target.type !== "text") return;
    updateWordCount(event.target);
    pendingEdit = true;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(save, 800);
  });

  // Leaving the page must not lose the last keystrokes: save, wait until nothing is pending
  // (at most a few seconds), then go.
  function flushThen(go) {
    clearTimeout(typingTimer);
    if (pendingEdit) save();
    var waited = 0;
    (function wait() {
      if ((!inFlight && !dirty && !retryTimer) || waited >= 5000) return go();
      waited += 50;
      setTimeout(wait, 50);
    })();
  }
  // Leaving by closing the tab or typing an address: the last keystrokes still go, as a plain
  // form post (the same one the page makes without JavaScript), which the browser sends on its way out.
  window.addEventListener("pagehide", function () {
    if (!pendingEdit && !dirty) return;
    var data = new FormData(form);
    data.append("go", String(position));
    navigator.sendBeacon(window.location.pathname, data);
  });

  function saveFlag(flagged) {
    post(root.dataset.flagUrl, {flagged: flagged}).then(function (response) {
      if (!response.ok) throw new Error();
      markNav("flagged", flagged);
      return response.json().then(function (body) { resync(body.seconds_left); });
    }).catch(function () { showWarning("The flag could not be saved; try again."); });
  }

  function updateWordCount(el) {
    var target = el.dataset.wordCount && document.getElementById(el.dataset.wordCount);
    if (!target) return;
    var words = el.value.trim() ? el.value.trim().split(/\s+/).length : 0;
    target.textContent = words + (words === 1 ? " word" : " words");
  }
  form.querySelectorAll("textarea[data-word-count]").forEach(updateWordCount);

  // --- integrity signals: recorded silently, for graders, never as verdicts --------------
  function signal(kind, extra) {
    var body = {kind: kind, position: position};
    if (extra) body.length = extra;
    post(root.dataset.signalUrl, body).catch(function () {});
  }
  // A page that unloads (Save and next, the question grid, a typed address, a closed tab) is
  // hidden too, but that is not leaving the tab. Browsers fire pagehide before that last
  // visibilitychange, and a hidden tab is reported only after a short wait that pagehide
  // cancels, for browsers that order the two the other way.
  var unloading = false, leaveTimer = null;
  window.addEventListener("pagehide", function () { unloading = true; clearTimeout(leaveTimer); });
  window.addEventListener("pageshow", function () { unloading = false; });  // back from the back-forward cache
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "hidden" || unloading) return;
    clearTimeout(leaveTimer);
    leaveTimer = setTimeout(function () { if (!unloading) signal("tab_hidden"); }, 500);
  });
  form.addEventListener("paste", function (event) {
    var text = (event.clipboardData || window.clipboardData).getData("text") || "";
    if (text.length >= 200) signal("paste", text.length);
  });

  // --- the deadline: submit with everything saved before it -----------------------------
  clock.beforeSubmit = function (submit) {
    status.textContent = "Time is up: submitting…";
    flushThen(submit);
  };
})();
