/* HMIS front end: the scanning desk, the batch form's service-code picker, small helpers.
 * No inline scripts anywhere: pages mark elements with data-* attributes and this file wires them.
 */
(function () {
  "use strict";

  // ---- helpers -----------------------------------------------------------------------------
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // A key per scan, made in the browser, so a retried request is recorded once on the server.
  // crypto.randomUUID exists only on secure origins (https, localhost): fall back to random bytes.
  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      try {
        return window.crypto.randomUUID();
      } catch (e) {
        /* not a secure context: fall through */
      }
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // ---- confirmations (no inline onclick) ----------------------------------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-confirm]")) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    }
  }, true);

  // ---- sounds: short and distinct, generated with WebAudio, mutable ------------------------
  var audio = null;
  var MUTE_KEY = "hmis-sound-muted";
  function muted() {
    try { return window.localStorage.getItem(MUTE_KEY) === "1"; } catch (e) { return false; }
  }
  function tone(freqs, type, each) {
    if (muted()) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var t = audio.currentTime;
      freqs.forEach(function (freq, i) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = type;
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, t + i * each);
        gain.gain.exponentialRampToValueAtTime(0.25, t + i * each + 0.01);
        gain.gain.exponentialRampToValueAtTime(0.0001, t + (i + 1) * each);
        osc.connect(gain).connect(audio.destination);
        osc.start(t + i * each);
        osc.stop(t + (i + 1) * each + 0.02);
      });
    } catch (e) {
      /* no audio device: the colour and text still say what happened */
    }
  }
  function playOk() { tone([880, 1320], "sine", 0.09); }
  function playRefused() { tone([220, 180], "square", 0.16); }

  function paintSoundToggle(button) {
    var off = muted();
    button.setAttribute("aria-pressed", off ? "true" : "false");
    button.textContent = off ? "Sound: off" : "Sound: on";
  }
  document.querySelectorAll("[data-sound-toggle]").forEach(function (button) {
    paintSoundToggle(button);
    button.addEventListener("click", function () {
      try { window.localStorage.setItem(MUTE_KEY, muted() ? "0" : "1"); } catch (e) { /* ignore */ }
      paintSoundToggle(button);
    });
  });

  // ---- the scanning desk --------------------------------------------------------------------
  var desk = document.querySelector("[data-desk]");
  if (desk) { setUpDesk(desk); }

  function setUpDesk(desk) {
    var scanUrl = desk.getAttribute("data-scan-url");
    var results = document.getElementById("results");
    var waiting = document.getElementById("queue-status");
    var cardInput = document.getElementById("scan-card");
    var clientInput = document.getElementById("scan-client");
    var candidates = document.getElementById("candidates");
    var batchDate = document.getElementById("id_batch_date");
    var dateProvided = document.getElementById("id_date_provided");
    var queue = [];
    var busy = false;
    var MAX_RESULTS = 200;

    function scanType() {
      var checked = desk.querySelector('input[name="scan_type"]:checked');
      return checked ? checked.value : "card";
    }
    function activeInput() {
      return scanType() === "client_id" && clientInput ? clientInput : cardInput;
    }
    function focusInput() {
      var input = activeInput();
      if (input) input.focus();
    }
    function focusIsFree() {
      var el = document.activeElement;
      return !el || el === document.body || el === cardInput || el === clientInput ||
        (results && results.contains(el)) || (candidates && candidates.contains(el));
    }
    function dates() {
      return { batch_date: batchDate.value, date_provided: dateProvided.value };
    }
    function keepStateInUrl() {
      var url = new URL(window.location.href);
      url.searchParams.set("batch_date", batchDate.value);
      url.searchParams.set("date_provided", dateProvided.value);
      url.searchParams.set("type", scanType());
      window.history.replaceState(null, "", url.toString());
    }
    function refreshLists() {
      if (window.htmx) window.htmx.trigger(document.body, "hmis:refresh");
    }
    function showQueue() {
      if (!waiting) return;
      var n = queue.length;
      waiting.textContent = n > 1 ? (n - 1) + " more waiting to send" : "";
    }

    function resultShell(label) {
      var li = document.createElement("li");
      var box = document.createElement("div");
      box.className = "result result--sending";
      var body = document.createElement("div");
      body.className = "result__body";
      var status = document.createElement("div");
      status.className = "result__status";
      status.textContent = "Sending";
      var typed = document.createElement("div");
      typed.className = "result__message";
      typed.textContent = label;
      body.appendChild(status);
      body.appendChild(typed);
      box.appendChild(body);
      li.appendChild(box);
      return li;
    }
    function setShellStatus(li, text) {
      var status = li.querySelector(".result__status");
      if (status) status.textContent = text;
    }

    function enqueue(fields, label) {
      var item = { key: newKey(), fields: fields, li: resultShell(label) };
      results.insertBefore(item.li, results.firstChild);
      // Keep the log bounded over a long morning; the oldest answers are long settled.
      while (results.children.length > MAX_RESULTS &&
             !results.lastElementChild.querySelector(".result--sending")) {
        results.removeChild(results.lastElementChild);
      }
      queue.push(item);
      showQueue();
      pump();
    }

    async function pump() {
      if (busy) return;
      busy = true;
      try {
        while (queue.length) {
          await send(queue[0]);
          queue.shift();
          showQueue();
        }
      } finally {
        busy = false;
      }
    }

    // Send one scan; on a network failure or a server error retry with the SAME key, so the
    // server records it once and answers the retry with its first answer. Never drop it.
    async function send(item) {
      var attempt = 0;
      for (;;) {
        var body = new URLSearchParams();
        Object.keys(item.fields).forEach(function (name) { body.set(name, item.fields[name]); });
        body.set("key", item.key);
        var response = null;
        try {
          response = await fetch(scanUrl, {
            method: "POST",
            credentials: "same-origin",
            headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
            body: body,
          });
        } catch (e) {
          response = null;
        }
        if (response && response.ok && response.redirected) {
          // The session ended and the server sent the sign-in page instead of a result.
          refused(item, 401);
          return;
        }
        if (response && response.ok) {
          render(item, await response.text());
          return;
        }
        if (response && response.status < 500 && response.status !== 429) {
          refused(item, response.status);
          return;
        }
        attempt += 1;
        setShellStatus(item.li, "Connection problem: retrying (" + attempt + ")");
        await sleep(Math.min(500 * Math.pow(2, attempt), 8000));
      }
    }

    function render(item, html) {
      var holder = document.createElement("div");
      holder.innerHTML = html;
      if (!holder.querySelector(".result[data-ok]")) {
        refused(item, 0);
        return;
      }
      item.li.innerHTML = html;
      var box = item.li.querySelector(".result");
      if (box && box.getAttribute("data-ok") === "1") { playOk(); } else { playRefused(); }
      if (window.htmx) window.htmx.process(item.li);
      refreshLists();
      if (focusIsFree()) focusInput();
    }

    function refused(item, status) {
      var text = status === 401 || status === 403 ?
        "Not recorded: you are signed out or not allowed to add to this batch. Sign in again." :
        status === 0 ? "Not recorded: the server's answer could not be read. Scan again." :
        "Not recorded: the server refused the request (" + status + ").";
      item.li.querySelector(".result").className = "result result--error";
      setShellStatus(item.li, "Not recorded");
      var message = item.li.querySelector(".result__message");
      message.textContent = text + " (" + (item.fields.typed || "") + ")";
      playRefused();
    }

    function onEnter(event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      var input = event.target;
      var typed = input.value.trim();
      if (input === clientInput && typed && !/^[0-9]+$/.test(typed)) {
        // A name: search now and let the user pick; only a Client ID is added on Enter.
        if (window.htmx) window.htmx.trigger(clientInput, "search");
        return;
      }
      // Clear at once so the next scan's characters land in an empty box.
      input.value = "";
      if (!typed) return;
      var d = dates();
      enqueue({ scan_type: input === clientInput ? "client_id" : "card", typed: typed,
        batch_date: d.batch_date, date_provided: d.date_provided }, typed);
      if (candidates && input === clientInput) candidates.innerHTML = "";
    }
    if (cardInput) cardInput.addEventListener("keydown", onEnter);
    if (clientInput) clientInput.addEventListener("keydown", onEnter);

    // Forms marked data-desk-add (candidate picks, recent clients, bar overrides) go through the
    // same queue as scans, each with its own key and result.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches || !form.matches("form[data-desk-add]")) return;
      event.preventDefault();
      var data = new FormData(form);
      var fields = {};
      data.forEach(function (value, name) {
        if (name !== "csrfmiddlewaretoken") fields[name] = value;
      });
      var d = dates();
      fields.batch_date = d.batch_date;
      fields.date_provided = d.date_provided;
      enqueue(fields, form.getAttribute("data-label") || fields.typed || "");
      if (candidates && candidates.contains(form)) candidates.innerHTML = "";
      if (clientInput && candidates && candidates.contains(form)) clientInput.value = "";
      focusInput();
    });

    desk.querySelectorAll('input[name="scan_type"]').forEach(function (radio) {
      radio.addEventListener("change", function () {
        var client = scanType() === "client_id";
        var cardBox = document.getElementById("card-box");
        var clientBox = document.getElementById("client-box");
        if (cardBox) cardBox.hidden = client;
        if (clientBox) clientBox.hidden = !client;
        keepStateInUrl();
        focusInput();
      });
    });
    [batchDate, dateProvided].forEach(function (input) {
      input.addEventListener("change", function () {
        keepStateInUrl();
        refreshLists();
        var links = document.querySelectorAll("[data-keeps-dates]");
        links.forEach(function (link) {
          var url = new URL(link.getAttribute("href"), window.location.href);
          url.searchParams.set("batch_date", batchDate.value);
          url.searchParams.set("date_provided", dateProvided.value);
          link.setAttribute("href", url.pathname + url.search);
        });
        document.querySelectorAll("[data-show-date]").forEach(function (shown) {
          var value = shown.getAttribute("data-show-date") === "batch_date" ?
            batchDate.value : dateProvided.value;
          var parts = value.split("-");
          shown.textContent = parts.length === 3 ? parts[1] + "/" + parts[2] + "/" + parts[0] : value;
        });
        var backdated = document.querySelector("[data-backdated]");
        if (backdated) backdated.hidden = dateProvided.value === desk.getAttribute("data-today");
        document.querySelectorAll("input[data-date-copy]").forEach(function (copy) {
          copy.value = copy.getAttribute("data-date-copy") === "batch_date" ?
            batchDate.value : dateProvided.value;
        });
      });
    });

    // Do not swap the entry list under someone who is editing units or pressing Remove.
    // (The list catches up on the next poll once focus leaves it.) A refresh already in flight
    // when the user clicks into the list is dropped at swap time for the same reason.
    function editingEntries(event) {
      var list = document.getElementById("entries");
      var config = event.detail.requestConfig;
      var source = (config && config.elt) || event.detail.elt;
      return list && source === list && list.contains(document.activeElement);
    }
    document.body.addEventListener("htmx:beforeRequest", function (event) {
      if (editingEntries(event)) event.preventDefault();
    });
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      if (editingEntries(event)) event.detail.shouldSwap = false;
    });

    window.addEventListener("beforeunload", function (event) {
      if (queue.length) {
        event.preventDefault();
        event.returnValue = "";
      }
    });

    focusInput();
  }

  // ---- batch form: service-code rows and the Find Service Provided picker -----------------
  var picker = document.getElementById("picker");
  var pickingRow = null;

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-code-row]");
    if (add) {
      event.preventDefault();
      addCodeRow(add.getAttribute("data-add-code-row"));
      return;
    }
    var open = event.target.closest("[data-open-picker]");
    if (open && picker) {
      event.preventDefault();
      pickingRow = open.closest("[data-code-row]");
      picker.showModal();
      var search = picker.querySelector('input[name="q"]');
      if (search) search.focus();
      return;
    }
    var pick = event.target.closest("[data-pick-code]");
    if (pick && pickingRow) {
      event.preventDefault();
      var input = pickingRow.querySelector("input[data-code-input]");
      var name = pickingRow.querySelector("[data-code-name]");
      var units = pickingRow.querySelector("input[data-units-input]");
      input.value = pick.getAttribute("data-pick-code");
      name.textContent = pick.getAttribute("data-pick-name");
      name.classList.remove("code-name--empty");
      if (units && !units.value) units.value = pick.getAttribute("data-default-units") || "1";
      picker.close();
      if (units) units.focus();
      pickingRow = null;
      return;
    }
    var close = event.target.closest("[data-close-dialog]");
    if (close) {
      event.preventDefault();
      close.closest("dialog").close();
    }
  });

  function addCodeRow(prefix) {
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-row-template");
    var body = document.getElementById(prefix + "-rows");
    if (!total || !template || !body) return;
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("tbody");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    body.appendChild(row);
    total.value = String(index + 1);
    var find = row.querySelector("[data-open-picker]");
    if (find) find.focus();
  }
})();
