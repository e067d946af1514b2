/* The scanning desk (Add Clients to Batch). Its promise: no scan is ever lost or doubled.
 *
 * - A keyboard-wedge scan is caught wherever focus is (HMIS.watchScanner in common.js).
 * - Every scan is written to this device (IndexedDB) with its key before it is sent, and deleted
 *   only once the server has answered it, so a reload, a crash or a lost network keeps it; it is
 *   sent again with the same key, and the server records it once.
 * - A queued scan belongs to the user who scanned: it is sent with that user's id and the server
 *   refuses it under anyone else's session (409); it then waits for its user.
 * - A service worker (/batches/desk-sw.js) keeps the page, styles and scripts for offline use.
 */
(function () {
  "use strict";
  var HMIS = window.HMIS;
  var desk = document.querySelector("[data-desk]");
  if (!desk) return;

  var scanUrl = desk.getAttribute("data-scan-url");
  var userId = desk.getAttribute("data-user-id");
  var loginUrl = desk.getAttribute("data-login-url");
  var results = document.getElementById("results");
  var waiting = document.getElementById("queue-status");
  var banner = document.getElementById("offline-banner");
  var stale = document.getElementById("entries-stale");
  var cardInput = document.getElementById("scan-card");
  var clientInput = document.getElementById("scan-client");
  var candidates = document.getElementById("candidates");
  var batchDate = document.getElementById("id_batch_date");
  var dateProvided = document.getElementById("id_date_provided");
  var postResult = document.getElementById("post-result");
  var queue = [];
  var busy = false;
  var offline = !navigator.onLine;
  var signedOut = false;
  var lastFresh = new Date();
  var MAX_RESULTS = 300;
  var wake = null; // resolves the retry wait early when the network comes back

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
  var SOUNDS = {
    ok: function () { tone([880, 1320], "sine", 0.09); },
    already: function () { tone([660, 660], "triangle", 0.12); },
    refused: function () { tone([220, 180], "square", 0.16); },
  };
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

  // ---- the device's queue: IndexedDB, one record per scan not yet answered -----------------
  var store = (function () {
    var opened = null;
    function db() {
      if (!window.indexedDB) return Promise.reject(new Error("no IndexedDB"));
      opened = opened || new Promise(function (resolve, reject) {
        var request = window.indexedDB.open("hmis-desk", 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore("scans", { keyPath: "key" });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
      return opened;
    }
    function run(mode, work) {
      return db().then(function (database) {
        return new Promise(function (resolve, reject) {
          var tx = database.transaction("scans", mode);
          var result = work(tx.objectStore("scans"));
          tx.oncomplete = function () { resolve(result && result.result); };
          tx.onerror = function () { reject(tx.error); };
        });
      });
    }
    return {
      put: function (record) { return run("readwrite", function (s) { s.put(record); }); },
      remove: function (key) { return run("readwrite", function (s) { s.delete(key); }); },
      all: function () {
        return run("readonly", function (s) { return s.getAll(); }).then(function (rows) {
          return (rows || []).sort(function (a, b) { return a.seq - b.seq; });
        });
      },
    };
  })();

  function record(item) {
    return {
      key: item.key, seq: item.seq, userId: item.userId, scanUrl: item.scanUrl,
      fields: item.fields, label: item.label, createdAt: item.createdAt,
    };
  }

  // ---- page state ------------------------------------------------------------------------
  function scanType() {
    var checked = desk.querySelector('input[name="scan_type"]:checked');
    return checked ? checked.value : "card";
  }
  function activeInput() {
    return scanType() === "client_id" && clientInput ? clientInput : cardInput;
  }
  function focusInput() {
    var input = activeInput();
    if (input && !input.disabled) input.focus();
  }
  function focusIsFree() {
    var el = document.activeElement;
    return !el || el === document.body || el === cardInput || el === clientInput ||
      (results && results.contains(el)) || (candidates && candidates.contains(el));
  }
  function dates() {
    return { batch_date: batchDate.value, date_provided: dateProvided.value };
  }
  function deskUrl() {
    var url = new URL(window.location.href);
    url.searchParams.set("batch_date", batchDate.value);
    url.searchParams.set("date_provided", dateProvided.value);
    url.searchParams.set("type", scanType());
    return url;
  }
  function keepStateInUrl() {
    window.history.replaceState(null, "", deskUrl().toString());
  }
  // The lists are refreshed at most every 3 seconds: a fast run of scans would otherwise ask
  // the server for the whole list after every one and slow the desk down as the list grows.
  // The refresh always comes after the latest request for one, so it shows every answer.
  var REFRESH_GAP = 3000;
  var refreshTimer = null;
  var lastRefresh = 0;
  function refreshLists() {
    if (!window.htmx || offline || refreshTimer) return;
    refreshTimer = setTimeout(function () {
      refreshTimer = null;
      lastRefresh = Date.now();
      if (!offline) window.htmx.trigger(document.body, "hmis:refresh");
    }, Math.max(0, lastRefresh + REFRESH_GAP - Date.now()));
  }
  function clock(time) {
    return new Date(time).toTimeString().slice(0, 5);
  }
  function age(time) {
    var minutes = Math.floor((Date.now() - time) / 60000);
    if (minutes < 1) return "less than a minute";
    if (minutes < 120) return minutes + (minutes === 1 ? " minute" : " minutes");
    return Math.floor(minutes / 60) + " hours";
  }

  function showQueue() {
    var n = queue.length;
    if (waiting) {
      waiting.textContent = !offline && !signedOut && n > 1 ? (n - 1) + " more waiting to send" : "";
    }
    if (!banner) return;
    var text = "";
    if (signedOut) {
      text = "Signed out: " + n + (n === 1 ? " scan" : " scans") +
        " waiting on this device. Sign in again to send them.";
    } else if (offline) {
      text = "Offline: " + n + (n === 1 ? " scan" : " scans") + " waiting";
      if (n) text += " (oldest " + age(queue[0].createdAt) + " old)";
      text += ". They are kept on this device and sent when the connection is back.";
    }
    banner.textContent = text;
    banner.hidden = !text;
    if (stale) {
      stale.hidden = !offline;
      stale.textContent = offline ? "Offline: counts and list as of " + clock(lastFresh) +
        ", not updated until the connection is back." : "";
    }
    var entries = document.getElementById("entries");
    if (entries) entries.classList.toggle("is-stale", offline);
  }

  // ---- result lines ------------------------------------------------------------------------
  function resultShell(label, note) {
    var li = document.createElement("li");
    var box = document.createElement("div");
    box.className = "result result--sending";
    var body = document.createElement("div");
    body.className = "result__body";
    var status = document.createElement("div");
    status.className = "result__status";
    status.textContent = note || "Sending";
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
  function addLine(li) {
    results.insertBefore(li, results.firstChild);
    // Keep the log bounded over a long morning; the oldest answers are long settled.
    while (results.children.length > MAX_RESULTS &&
           !results.lastElementChild.querySelector(".result--sending")) {
      results.removeChild(results.lastElementChild);
    }
  }

  // ---- the queue -----------------------------------------------------------------------------
  var seq = Date.now() * 1000;
  function enqueue(fields, label) {
    var item = {
      key: HMIS.newKey(), seq: seq++, userId: userId, scanUrl: scanUrl, fields: fields,
      label: label, createdAt: Date.now(), li: resultShell(label, offline ? "Waiting" : "Sending"),
    };
    addLine(item.li);
    // Written to the device before it is sent: a reload now cannot lose it.
    item.saved = store.put(record(item)).catch(function () { return null; });
    queue.push(item);
    showQueue();
    pump();
  }

  async function pump() {
    if (busy) return;
    busy = true;
    try {
      while (queue.length && !signedOut) {
        var item = queue[0];
        var done = await send(item);
        if (!done) break; // signed out: the queue waits for the user to sign in again
        queue.shift();
        showQueue();
      }
    } finally {
      busy = false;
      showQueue();
    }
  }

  function waitForRetry(ms) {
    return new Promise(function (resolve) {
      var timer = setTimeout(resolve, ms);
      wake = function () { clearTimeout(timer); resolve(); };
    });
  }

  // Send one scan; on a network failure or a server error retry with the SAME key, so the
  // server records it once and answers the retry with its first answer. Never drop it.
  // Returns false when the session is gone (the scan stays queued), true once it is settled.
  async function send(item) {
    var attempt = 0;
    for (;;) {
      var body = new URLSearchParams();
      Object.keys(item.fields).forEach(function (name) { body.set(name, item.fields[name]); });
      body.set("key", item.key);
      var response = null;
      if (navigator.onLine) {
        try {
          response = await fetch(item.scanUrl, {
            method: "POST",
            credentials: "same-origin",
            headers: {
              "X-CSRFToken": HMIS.csrfToken(), "X-Requested-With": "fetch",
              "X-HMIS-User": item.userId,
            },
            body: body,
          });
        } catch (e) {
          response = null;
        }
      }
      if (response && response.ok && response.redirected) {
        // The session ended and the server sent the sign-in page instead of a result.
        setShellStatus(item.li, "Waiting: signed out");
        sessionEnded();
        return false;
      }
      if (response && response.status === 403 && !HMIS.csrfCookie()) {
        // The browser's cookies are gone (signed out elsewhere, or cleared): the server's CSRF
        // check refuses before its sign-in check can redirect. Not a refusal of the scan: it
        // waits on the device for its user to sign in again.
        setShellStatus(item.li, "Waiting: signed out");
        sessionEnded();
        return false;
      }
      if (response && response.status === 409) {
        // Another user signed in on this device: this scan waits for the user who made it.
        await item.saved;
        settle(item, "Held for the user who scanned it: sent when they sign in on this device.");
        return true;
      }
      if (response && response.ok) {
        setOffline(false);
        await item.saved;
        render(item, await response.text());
        store.remove(item.key).catch(function () { /* already gone */ });
        return true;
      }
      if (response && response.status < 500 && response.status !== 429) {
        await item.saved;
        refused(item, response.status);
        store.remove(item.key).catch(function () { /* already gone */ });
        return true;
      }
      if (!response) setOffline(true);
      attempt += 1;
      var wait = Math.min(500 * Math.pow(2, attempt), offline ? 30000 : 8000);
      if (response && response.status === 503) {
        // The database stayed busy (an import, many stations): nothing was recorded; the
        // server says when to send it again.
        var after = parseInt(response.headers.get("Retry-After") || "", 10);
        if (after > 0) wait = Math.min(after * 1000, 30000);
        setShellStatus(item.li, "Database busy: not recorded yet, sending again (" + attempt + ")");
      } else {
        setShellStatus(item.li, offline ? "Waiting: offline" :
          "Connection problem: retrying (" + attempt + ")");
      }
      await waitForRetry(wait);
    }
  }

  function settle(item, text) {
    item.li.querySelector(".result").className = "result result--warn";
    setShellStatus(item.li, "Not sent");
    item.li.querySelector(".result__message").textContent = text + " (" + item.label + ")";
  }

  function render(item, html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var box = holder.querySelector(".result[data-ok]");
    if (!box) {
      refused(item, 0);
      return;
    }
    item.li.innerHTML = html;
    var code = box.getAttribute("data-code");
    if (box.getAttribute("data-ok") === "1") {
      SOUNDS.ok();
      bumpCount();
    } else if (code === "already_added") {
      SOUNDS.already();
    } else {
      SOUNDS.refused();
    }
    // Only the newest line offers Undo; older ones are settled.
    results.querySelectorAll("[data-undo]").forEach(function (form) {
      if (!item.li.contains(form)) form.remove();
    });
    if (window.htmx) window.htmx.process(item.li);
    refreshLists();
    if (focusIsFree()) focusInput();
  }

  function bumpCount() {
    var count = document.querySelector("[data-scan-count]");
    if (!count) return;
    var n = parseInt(count.getAttribute("data-scan-count"), 10) + 1;
    count.setAttribute("data-scan-count", String(n));
    count.textContent = n;
  }

  function refused(item, status) {
    var text = status === 403 ?
      "Not recorded: you are not allowed to add to this batch." :
      status === 0 ? "Not recorded: the server's answer could not be read. Scan again." :
      "Not recorded: the server refused the request (" + status + ").";
    item.li.querySelector(".result").className = "result result--error";
    setShellStatus(item.li, "Not recorded");
    item.li.querySelector(".result__message").textContent =
      text + " (" + (item.fields.typed || "") + ")";
    SOUNDS.refused();
  }

  function sessionEnded() {
    if (signedOut) return;
    signedOut = true;
    showQueue();
    // The scans are on the device: sign in again and they are sent from this desk and dates.
    var next = deskUrl();
    window.location.assign(loginUrl + "?next=" + encodeURIComponent(next.pathname + next.search));
  }

  function setOffline(value) {
    if (offline === value) return;
    offline = value;
    if (!value) lastFresh = new Date();
    showQueue();
    if (!value) {
      refreshLists();
      if (wake) wake();
    }
  }
  window.addEventListener("offline", function () { setOffline(true); });
  window.addEventListener("online", function () {
    setOffline(false);
    pump();
  });
  setInterval(showQueue, 15000);

  // Scans left on this device by an earlier page (a reload, a restart, the network gone).
  function resumeStoredScans() {
    return store.all().then(function (rows) {
      var known = {};
      queue.forEach(function (item) { known[item.key] = true; });
      var others = 0;
      rows.forEach(function (row) {
        if (known[row.key]) return;
        if (row.userId !== userId) {
          others += 1;
          return;
        }
        var item = row;
        item.li = resultShell(row.label, "Waiting since " + clock(row.createdAt));
        item.saved = Promise.resolve();
        addLine(item.li);
        queue.push(item);
      });
      var held = document.getElementById("held-scans");
      if (held) {
        held.hidden = !others;
        held.textContent = others ? others + (others === 1 ? " scan" : " scans") +
          " made by another user on this device are held for them: they are sent only when " +
          "that user signs in here, never under your name." : "";
      }
      showQueue();
      pump();
    }).catch(function () { /* no IndexedDB: scans live in the page only */ });
  }

  // ---- input: the scanner anywhere, the boxes by hand ----------------------------------------
  function addScan(code) {
    code = code.trim();
    if (!code || (cardInput && cardInput.disabled)) return;
    var d = dates();
    enqueue({ scan_type: "card", typed: code, batch_date: d.batch_date,
      date_provided: d.date_provided }, code);
  }
  HMIS.watchScanner(addScan, {
    gap: parseInt(desk.getAttribute("data-scan-gap"), 10) || 100,
  });

  function onEnter(event) {
    var input = event.target;
    var typed = input.value.trim();
    if (event.key === "Tab" && !(input === cardInput && typed)) return;
    if (event.key !== "Enter" && event.key !== "Tab") return;
    event.preventDefault();
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

  function datesChanged() {
    keepStateInUrl();
    refreshLists();
    document.querySelectorAll("[data-keeps-dates]").forEach(function (link) {
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
    // Only a date before today is back-dated (a future one is refused, not back-dated).
    if (backdated) {
      backdated.hidden = !dateProvided.value || dateProvided.value >= desk.getAttribute("data-today");
    }
    document.querySelectorAll("input[data-date-copy]").forEach(function (copy) {
      copy.value = copy.getAttribute("data-date-copy") === "batch_date" ?
        batchDate.value : dateProvided.value;
    });
  }
  [batchDate, dateProvided].forEach(function (input) {
    input.addEventListener("change", datesChanged);
  });

  // A page kept by the service worker carries the dates of its last load: the address decides.
  (function applyAddressDates() {
    var params = new URLSearchParams(window.location.search);
    var changed = false;
    [["batch_date", batchDate], ["date_provided", dateProvided]].forEach(function (pair) {
      var value = params.get(pair[0]);
      if (value && /^\d{4}-\d{2}-\d{2}$/.test(value) && pair[1].value !== value) {
        pair[1].value = value;
        changed = true;
      }
    });
    if (changed) datesChanged();
  })();

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
    if (editingEntries(event)) {
      event.preventDefault();
      return;
    }
    var source = event.detail.elt;
    if (offline && source && source.closest && source.closest(".post-form")) {
      // Posting needs the server: say so rather than doing nothing.
      event.preventDefault();
      if (postResult) {
        postResult.innerHTML = "";
        var note = document.createElement("p");
        note.className = "card result--warn";
        note.setAttribute("role", "alert");
        note.textContent = "Offline: Post Services will be possible when the connection is " +
          "back. Scans taken meanwhile are kept on this device.";
        postResult.appendChild(note);
      }
    }
  });
  // Signed out (idle time): a list's request is answered with a redirect to the sign-in page
  // that returns to the address the page had when that request left. The dates may have changed
  // since (a refresh waits its turn), so the desk goes to sign-in itself, with its dates now.
  document.body.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    var target = xhr && xhr.getResponseHeader("HX-Redirect");
    if (!target) return;
    var path = new URL(target, window.location.href).pathname;
    if (path !== new URL(loginUrl, window.location.href).pathname) return;
    event.preventDefault();
    sessionEnded();
  });
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (editingEntries(event)) event.detail.shouldSwap = false;
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "entries") lastFresh = new Date();
  });
  document.body.addEventListener("htmx:sendError", function (event) {
    var source = event.detail.elt;
    if (source && source.closest && source.closest(".post-form") && postResult) {
      postResult.innerHTML = "";
      var note = document.createElement("p");
      note.className = "card result--warn";
      note.setAttribute("role", "alert");
      note.textContent = "Post Services did not reach the server: try again when the connection " +
        "is back.";
      postResult.appendChild(note);
    }
    setOffline(true);
  });

  // ---- offline: the service worker, and the page kept for it ---------------------------------
  if ("serviceWorker" in navigator && desk.getAttribute("data-sw-url")) {
    navigator.serviceWorker.register(desk.getAttribute("data-sw-url"), { scope: "/batches/" })
      .catch(function () { /* not a secure context, or blocked: the desk still works online */ });
    if (window.caches && navigator.onLine) {
      // On the first visit the worker does not control this page yet: keep its files now.
      var assets = [];
      document.querySelectorAll("script[src], link[rel=stylesheet], link[rel=icon]")
        .forEach(function (el) { assets.push(el.src || el.href); });
      window.caches.open("hmis-desk").then(function (cache) {
        cache.addAll(assets).catch(function () { /* kept on the next visit */ });
        if (!navigator.serviceWorker.controller) {
          var page = window.location.origin + window.location.pathname;
          return fetch(window.location.href, { credentials: "same-origin" }).then(function (r) {
            if (r.ok && !r.redirected) return cache.put(page, r);
          });
        }
      }).catch(function () { /* kept on the next visit */ });
    }
  }

  focusInput();
  showQueue();
  resumeStoredScans();
})();
