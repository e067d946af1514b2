/* HMIS front end, every page: CSRF token, request keys, confirmations, and the keyboard-wedge
 * scanner detector the desk and the sign-in page use. No inline scripts anywhere: pages mark
 * elements with data-* attributes and these files wire them.
 */
(function () {
  "use strict";
  var HMIS = window.HMIS = window.HMIS || {};

  // The cookie first: a desk page kept by the service worker may carry an older token.
  HMIS.csrfCookie = function () {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  };
  HMIS.csrfToken = function () {
    var cookie = HMIS.csrfCookie();
    if (cookie) return cookie;
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  };

  // A key per scan, made in the browser, so a retried request is recorded once on the server.
  // crypto.randomUUID exists only on secure origins (https, localhost): fall back to random bytes.
  HMIS.newKey = function () {
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
  };

  HMIS.sleep = function (ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  };

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

  // ---- keyboard-wedge scanner detection ------------------------------------------------------
  // A scanner types a code as a burst (each key a few ms after the last) and ends it with Enter
  // or Tab. A person does not type that fast. The burst is caught before any control sees it, so
  // whatever has focus (a button, a date field, the page) a scan is a scan and nothing else:
  // - the first key cannot be told from a person's and reaches the focused control; it is undone
  //   (the control's value restored) once the burst ends with Enter or Tab;
  // - every further key within `gap` ms of the one before is held back from the page;
  // - a burst that stops without Enter or Tab was quick typing: the held keys are put back.
  var TEXT_TYPES = /^(text|search|tel|url|email|password|number)$/;
  function isTextField(el) {
    return el && (el.tagName === "TEXTAREA" ||
      (el.tagName === "INPUT" && TEXT_TYPES.test(el.type || "text")));
  }
  function hasValue(el) {
    return el && (el.tagName === "TEXTAREA" || el.tagName === "INPUT" || el.tagName === "SELECT");
  }

  function isEditable(el) {
    return el && el.isContentEditable;
  }
  var FREE_GAP = 1000;

  HMIS.watchScanner = function (onScan, options) {
    options = options || {};
    var gap = options.gap || 100;
    var minLength = options.minLength || 4;
    var burst = null;
    var released = null; // the burst last given back by the timer, in case it was a slow scan

    function start(event, now, free) {
      var target = document.activeElement;
      burst = {
        text: event.key, last: now, target: target, held: false, free: free,
        value: hasValue(target) ? target.value : null,
        caret: isTextField(target) && target.type !== "number" ? target.selectionStart : null,
        timer: null,
      };
    }
    function putBack() {
      // Not a scan: the keys held back go where a person's keys would have gone.
      var b = burst;
      burst = null;
      if (!b || !b.held) return;
      clearTimeout(b.timer);
      var rest = b.text.slice(1);
      var el = b.target;
      released = b;
      b.before = null;
      if (el && el === document.activeElement && isTextField(el) && !el.readOnly) {
        b.before = { value: el.value, caret: el.type !== "number" ? el.selectionStart : null };
        if (typeof el.setRangeText === "function" && el.type !== "number") {
          el.setRangeText(rest, el.selectionStart, el.selectionEnd, "end");
        } else {
          el.value += rest;
        }
        b.after = el.value;
        el.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
    // The wait for a burst's next key runs on the clock, but keys carry the time they were
    // pressed: on a busy machine the next key of a scan can arrive after the wait ran out, and
    // its time stamp then shows the burst went on. The keys given back are taken back again.
    function resume(now) {
      var b = released;
      released = null;
      if (!b || now - b.last > gap || b.target !== document.activeElement) return false;
      var el = b.target;
      if (b.before && el.value === b.after) {
        el.value = b.before.value;
        if (b.before.caret !== null && typeof el.setSelectionRange === "function") {
          try { el.setSelectionRange(b.before.caret, b.before.caret); } catch (e) { /* ok */ }
        }
        el.dispatchEvent(new Event("input", { bubbles: true }));
      }
      burst = b;
      return true;
    }
    function undoFirstKey(b) {
      var el = b.target;
      if (!el || b.value === null || el.value === b.value) return;
      el.value = b.value;
      if (b.caret !== null && typeof el.setSelectionRange === "function") {
        try { el.setSelectionRange(b.caret, b.caret); } catch (e) { /* not selectable */ }
      }
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
    }

    window.addEventListener("keydown", function (event) {
      var key = event.key;
      if (key === "Shift" || key === "CapsLock") return; // a scanner's shift for capitals
      var now = event.timeStamp || performance.now();
      // Focus on a button, a radio or the page: typed characters mean nothing there, so every
      // one is held (a slow or busy machine cannot split the scan); a second apart starts over.
      var free = !hasValue(document.activeElement) && !isEditable(document.activeElement);
      if (!burst && released) resume(now);
      var within = burst && now - burst.last <= (burst.free && free ? FREE_GAP : gap);
      var printable = key && key.length === 1 && !event.ctrlKey && !event.metaKey &&
        !event.altKey;
      if (printable && free && key !== " ") {
        event.preventDefault();
        event.stopImmediatePropagation();
        if (within) {
          burst.text += key;
          burst.last = now;
        } else {
          putBack();
          start(event, now, true);
        }
        return;
      }
      if (printable) {
        if (within) {
          event.preventDefault();
          event.stopImmediatePropagation();
          burst.text += key;
          burst.last = now;
          burst.held = true;
          clearTimeout(burst.timer);
          burst.timer = setTimeout(putBack, gap * 2);
        } else {
          putBack();
          start(event, now, false);
        }
        return;
      }
      if ((key === "Enter" || key === "Tab") && within && burst.text.length >= minLength) {
        event.preventDefault();
        event.stopImmediatePropagation();
        var b = burst;
        burst = null;
        clearTimeout(b.timer);
        undoFirstKey(b);
        onScan(b.text);
        return;
      }
      putBack();
    }, true);
  };

  // ---- the sign-in page: a scan is not a username --------------------------------------------
  var refused = document.querySelector("[data-scan-refused]");
  if (refused) {
    HMIS.watchScanner(function (code) {
      refused.textContent = "A card was scanned (" + code + ") but not recorded: sign in first, " +
        "then scan it again at the desk.";
      refused.hidden = false;
    });
    // Signed out: the desk page kept for offline use (it lists clients) leaves this device.
    if (window.caches) {
      window.caches.open("hmis-desk").then(function (cache) {
        return cache.keys().then(function (requests) {
          requests.forEach(function (request) {
            if (!/\/static\//.test(request.url)) cache.delete(request);
          });
        });
      }).catch(function () { /* no cache storage: nothing kept */ });
    }
  }
})();
