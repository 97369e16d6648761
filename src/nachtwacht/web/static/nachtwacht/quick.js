// Quick morning entry and offline use (issue #14). Loaded on every page (no inline
// script: CSP script-src 'self'). Without it the quick page still works: chips are
// radio buttons, times are selects, the form posts normally.
//  - registers the service worker (/sw.js) that keeps the quick page for offline use;
//  - on the quick page: fresh idempotency key per entry, time steppers, drink steppers,
//    "like usual" badges that disappear once an answer is changed;
//  - offline: the filled-in form is kept in IndexedDB and sent when back online, with
//    its key, so a night sent twice is stored once.
(function () {
  "use strict";
  var DB = "nachtwacht", STORE = "queue";

  function newKey() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function openDb() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) {
        reject(new Error("no IndexedDB"));
        return;
      }
      var r = indexedDB.open(DB, 1);
      r.onupgradeneeded = function () { r.result.createObjectStore(STORE, {keyPath: "key"}); };
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }

  function tx(mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var out = fn(t.objectStore(STORE));
        t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  function queued() { return tx("readonly", function (s) { return s.getAll(); }); }
  function enqueue(item) { return tx("readwrite", function (s) { s.put(item); }); }
  function dequeue(key) { return tx("readwrite", function (s) { s["delete"](key); }); }

  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }

  function say(text, isError) {
    var main = document.getElementById("main");
    if (!main || !text) {
      return;
    }
    var box = document.getElementById("queue-status");
    if (!box) {
      box = document.createElement("div");
      box.id = "queue-status";
      box.className = "messages";
      box.setAttribute("role", isError ? "alert" : "status");
      main.insertBefore(box, main.firstChild);
    }
    var p = document.createElement("p");
    p.className = "msg " + (isError ? "error" : "success");
    p.textContent = text;
    box.appendChild(p);
  }

  var flushing = false;
  // Send every queued entry once; keep what could not be delivered for the next try.
  function flush() {
    if (flushing || !navigator.onLine) {
      return Promise.resolve();
    }
    flushing = true;
    var form = document.getElementById("quick-form");
    return queued().then(function (items) {
      return items.reduce(function (chain, item) {
        return chain.then(function () { return send(item, form); });
      }, Promise.resolve());
    }).catch(function () {}).then(function () { flushing = false; });
  }

  function send(item, form) {
    var body = new URLSearchParams();
    item.fields.forEach(function (kv) {
      if (kv[0] !== "csrfmiddlewaretoken") {
        body.append(kv[0], kv[1]);
      }
    });
    return fetch(item.url, {
      method: "POST", body: body, credentials: "same-origin", redirect: "error",
      headers: {"X-CSRFToken": cookie("csrftoken"), "Accept": "application/json"}
    }).then(function (resp) {
      var json = (resp.headers.get("Content-Type") || "").indexOf("json") >= 0;
      if (!json) {
        return; // signed out or a server error: keep it, try again later
      }
      return resp.json().then(function (data) {
        if (data.status === "saved" || data.status === "duplicate") {
          return dequeue(item.key).then(function () {
            say(item.sent);
          });
        }
        if (data.status === "invalid") {
          return dequeue(item.key).then(function () {
            var msgs = [];
            Object.keys(data.errors || {}).forEach(function (k) { msgs = msgs.concat(data.errors[k]); });
            say(item.failed + " " + msgs.join(" "), true);
          });
        }
        // "wrong_user": someone else is signed in now; keep it for its owner.
      });
    }).catch(function () {});
  }

  function stepClock(select, minutes) {
    var opts = Array.prototype.filter.call(select.options, function (o) { return o.value; });
    if (!opts.length) {
      return;
    }
    if (!select.value) {
      // Nothing chosen yet: the first tap picks the typical time next to the empty choice.
      var all = Array.prototype.slice.call(select.options);
      var at = all.findIndex(function (o) { return !o.value; });
      select.value = (all[at + 1] || opts[0]).value;
      select.setAttribute("data-touched", "1");
      select.dispatchEvent(new Event("change", {bubbles: true}));
      return;
    }
    var p = select.value.split(":");
    var target = (parseInt(p[0], 10) * 60 + parseInt(p[1], 10) + minutes + 1440) % 1440;
    var best = null, bestD = 1e9;
    opts.forEach(function (o) {
      var q = o.value.split(":");
      var m = parseInt(q[0], 10) * 60 + parseInt(q[1], 10);
      var d = Math.min(Math.abs(m - target), 1440 - Math.abs(m - target));
      if (d < bestD) { bestD = d; best = o; }
    });
    select.value = best.value;
    select.setAttribute("data-touched", "1");
    select.dispatchEvent(new Event("change", {bubbles: true}));
  }

  function button(text, label, cls) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    b.textContent = text;
    b.setAttribute("aria-label", label);
    return b;
  }

  function enhance(form) {
    form.elements.key.value = newKey();
    // A page kept by the service worker may be days old: the dates follow this phone's clock.
    var now = new Date();
    var iso = function (d) {
      return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
    };
    if (form.getAttribute("data-today") !== iso(now)) {
      var radios = form.querySelectorAll("input[name=date]");
      if (radios.length === 2) {
        radios[0].value = iso(now);
        radios[1].value = iso(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1));
      }
    }
    var later = form.getAttribute("data-later") || "later", earlier = form.getAttribute("data-earlier") || "earlier";
    form.querySelectorAll(".clock-row").forEach(function (row) {
      var select = row.querySelector("select");
      var name = row.parentNode.querySelector("label").textContent;
      var steps = document.createElement("span");
      steps.className = "steps";
      row.appendChild(steps);
      [[-5, "−5"], [5, "+5"]].forEach(function (st) {
        var b = button(st[1], name + ": " + Math.abs(st[0]) + " min " + (st[0] < 0 ? earlier : later), "step");
        b.addEventListener("click", function () { stepClock(select, st[0]); });
        steps.appendChild(b);
      });
    });
    form.querySelectorAll(".drink").forEach(function (drink) {
      var input = drink.querySelector("input");
      var name = drink.querySelector("label").textContent;
      var wrap = document.createElement("span");
      wrap.className = "stepper";
      var minus = button("−", name + " −1", "step"), plus = button("+", name + " +1", "step");
      drink.insertBefore(wrap, input);
      wrap.appendChild(minus);
      wrap.appendChild(input);
      wrap.appendChild(plus);
      var bump = function (d) {
        var v = Math.max(0, Math.min(10, (parseInt(input.value, 10) || 0) + d));
        input.value = v;
        input.dispatchEvent(new Event("change", {bubbles: true}));
      };
      minus.addEventListener("click", function () { bump(-1); });
      plus.addEventListener("click", function () { bump(1); });
      input.addEventListener("change", function () {
        var drinks = form.querySelector("input[name=caffeine][value=drinks]");
        if (drinks && parseInt(input.value, 10) > 0) {
          drinks.checked = true;
        }
      });
    });
    // Lights out usually follows going to bed, getting up the last waking: a new
    // user picks two times, not four (the copied time stays visible and changeable).
    [["bedtime", "lights_out"], ["final_wake", "out_of_bed"]].forEach(function (pair) {
      var from = form.elements[pair[0]], to = form.elements[pair[1]];
      if (!from || !to) {
        return;
      }
      var copied = !to.value;
      to.addEventListener("change", function (e) {
        if (e.isTrusted || to.getAttribute("data-touched")) {
          copied = false;
        }
      });
      from.addEventListener("change", function () {
        if (copied) {
          to.value = from.value;
        }
      });
    });
    // "like usual" is only true until the answer is changed.
    form.addEventListener("change", function (e) {
      var box = e.target.closest("fieldset, .clock, .field");
      var badge = box && box.querySelector(".usual-badge");
      if (badge) {
        badge.classList.add("changed");
      }
    });
    var note = document.getElementById("offline-note");
    var showNote = function () { if (note) { note.hidden = navigator.onLine; } };
    window.addEventListener("offline", showNote);
    window.addEventListener("online", showNote);
    showNote();
    var direct = false;
    form.addEventListener("submit", function (e) {
      if (direct) {
        return; // the server's own answer with the errors under the fields
      }
      e.preventDefault();
      var fields = [];
      new FormData(form).forEach(function (v, k) { fields.push([k, v]); });
      var item = {key: form.elements.key.value, url: form.action || location.pathname, fields: fields,
                  sent: form.getAttribute("data-sent"), failed: form.getAttribute("data-failed"),
                  created: Date.now()};
      var keep = function () {
        return enqueue(item).then(function () {
          say(form.getAttribute("data-queued"));
          form.reset();
          form.elements.key.value = newKey();
          window.scrollTo(0, 0);
        }).catch(function () {
          say(form.getAttribute("data-failed"), true);
        });
      };
      if (!navigator.onLine) {
        keep();
        return;
      }
      // Online (or so the phone thinks): send it now; a connection that fails on the
      // way ("lie-fi") keeps the entry on the phone instead of losing it.
      var body = new URLSearchParams();
      fields.forEach(function (kv) { body.append(kv[0], kv[1]); });
      fetch(item.url, {method: "POST", body: body, credentials: "same-origin",
                       headers: {"Accept": "application/json", "X-Nachtwacht-Direct": "1"}})
        .then(function (resp) {
          if (resp.status === 400 || (resp.headers.get("Content-Type") || "").indexOf("json") < 0) {
            direct = true; // refused or not JSON: post the form the ordinary way to show why
            form.submit();
            return;
          }
          return resp.json().then(function (data) {
            if (data.status === "saved" || data.status === "duplicate") {
              location.assign(form.getAttribute("data-next"));
            } else {
              direct = true;
              form.submit();
            }
          });
        }, keep);
    });
  }

  function b64ToBytes(b64) {
    var s = atob(b64.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((b64.length + 3) % 4));
    return Uint8Array.from(s, function (c) { return c.charCodeAt(0); });
  }

  // Reminders page: the time zone from this device on first use; Web Push per device.
  function reminderPage() {
    var tz = document.getElementById("id_timezone");
    var form = document.getElementById("reminder-form");
    if (tz && form && !document.querySelector("input[name=morning_on]:checked, input[name=evening_on]:checked")) {
      try {
        var mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
        if (mine && tz.querySelector("option[value='" + mine + "']")) {
          tz.value = mine;
        }
      } catch (e) { /* keep the default */ }
    }
    var btn = document.getElementById("push-on");
    if (!btn || !("serviceWorker" in navigator) || !("PushManager" in window)) {
      return;
    }
    btn.hidden = false;
    var status = document.getElementById("push-status");
    btn.addEventListener("click", function () {
      Notification.requestPermission().then(function (perm) {
        if (perm !== "granted") {
          throw new Error("denied");
        }
        return navigator.serviceWorker.ready;
      }).then(function (reg) {
        return reg.pushManager.subscribe({userVisibleOnly: true,
                                          applicationServerKey: b64ToBytes(btn.getAttribute("data-key"))});
      }).then(function (sub) {
        return fetch(btn.getAttribute("data-url"), {method: "POST", credentials: "same-origin",
          headers: {"X-CSRFToken": cookie("csrftoken"), "Content-Type": "application/json"},
          body: JSON.stringify(sub.toJSON())});
      }).then(function (resp) {
        if (!resp.ok) {
          throw new Error("refused");
        }
        status.textContent = btn.getAttribute("data-done");
      }).catch(function () {
        status.textContent = btn.getAttribute("data-denied");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    reminderPage();
    var form = document.getElementById("quick-form");
    if (form) {
      enhance(form);
    }
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/sw.js", {scope: "/"}).then(function () {
        return navigator.serviceWorker.ready;
      }).then(function (reg) {
        if (form && reg.active) {
          reg.active.postMessage("cache-quick");
        }
      }).catch(function () {});
    }
    window.addEventListener("online", flush);
    flush();
  });
}());
