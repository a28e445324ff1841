// Run examples, on code questions: the web process only queues the run (a worker runs it in the
// sandbox); this script polls for the results and shows them. It never touches the answer, the
// autosave or the clock. Without JavaScript the button stays hidden.
(function () {
  "use strict";
  var box = document.getElementById("run-examples");
  var textarea = document.getElementById("code");
  if (!box || !textarea) return;
  var button = document.getElementById("run-examples-button");
  var status = document.getElementById("run-status");
  var results = document.getElementById("run-results");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  box.hidden = false;

  function cell(row, tag, text, scope) {
    var el = document.createElement(tag);
    if (scope) el.scope = scope;
    if (text !== null && text !== undefined) {
      var pre = document.createElement("pre");
      pre.textContent = String(text);
      el.appendChild(pre);
    }
    row.appendChild(el);
    return el;
  }

  function show(list) {
    results.textContent = "";
    var passed = list.filter(function (r) { return r.status === "passed"; }).length;
    var table = document.createElement("table");
    table.className = "code-results";
    var caption = document.createElement("caption");
    caption.textContent = passed + " of " + list.length + " examples passed";
    table.appendChild(caption);
    var head = table.createTHead().insertRow();
    ["#", "Result", "Expected", "Yours", "Errors (stderr)", "CPU time"].forEach(function (h) {
      var th = document.createElement("th"); th.scope = "col"; th.textContent = h; head.appendChild(th);
    });
    var body = table.createTBody();
    list.forEach(function (r) {
      var row = body.insertRow();
      row.className = "status-" + r.status;
      var th = document.createElement("th"); th.scope = "row"; th.textContent = r.index + 1; row.appendChild(th);
      var verdict = document.createElement("td");
      var strong = document.createElement("strong"); strong.textContent = r.label; verdict.appendChild(strong);
      row.appendChild(verdict);
      cell(row, "td", r.expected);
      cell(row, "td", r.actual);
      cell(row, "td", r.stderr ? r.stderr.slice(-600) : "");
      cell(row, "td", r.cpu_seconds === null ? "—" : r.cpu_seconds.toFixed(3) + " s");
    });
    results.appendChild(table);
    status.textContent = passed === list.length ? "All examples passed." : (list.length - passed) + " example(s) failed.";
  }

  function finish(text) {
    button.disabled = false;
    if (text) status.textContent = text;
  }

  function poll(url, waited) {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}}).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.error || ("HTTP " + response.status));
        if (body.status === "done") { show(body.results); finish(null); return; }
        if (body.status === "failed") { finish(body.error); return; }
        status.textContent = body.status === "running" ? "Running the examples…" : "Waiting for a free runner…";
        if (waited > 120000) { finish("No result yet: try again in a moment."); return; }
        setTimeout(function () { poll(url, waited + 400); }, 400);
      });
    }).catch(function (error) {
      if (waited > 120000) { finish("The results could not be fetched: " + error.message); return; }
      setTimeout(function () { poll(url, waited + 1000); }, 1000);  // a network blip: keep polling
    });
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = "Sending your code…";
    fetch(box.dataset.runUrl, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json"},
      body: JSON.stringify({code: textarea.value})}).then(function (response) {
      return response.json().then(function (body) {
        if (response.status === 202) { status.textContent = "Queued…"; poll(body.poll_url, 0); return; }
        finish(body.error || ("The examples could not be run (HTTP " + response.status + ")."));
      });
    }).catch(function () { finish("The examples could not be sent: the connection failed. Try again."); });
  });
})();
