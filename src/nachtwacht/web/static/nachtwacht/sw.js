// Nachtwacht service worker (issue #14): keeps the app shell and the quick morning page
// so the diary opens from the home screen without a connection. Entries made offline
// are queued by quick.js in IndexedDB and sent by the page when it is online again
// (with a fresh CSRF token, which a service worker cannot read).
// Served by the view at /sw.js, which fills in CONFIG (paths of this installation).
"use strict";
var CONFIG = __CONFIG__;
var CACHE = "nachtwacht-" + CONFIG.version;

// Only what the server allows to be kept: a real page (a redirect means "not signed in",
// and the login page must not be stored under the quick page's address), never one sent
// as no-store. The quick pages say "private, no-cache": kept on this device only.
function storable(resp) {
  return resp.ok && !resp.redirected && resp.type === "basic" &&
    !/no-store/i.test(resp.headers.get("Cache-Control") || "");
}

// The stored quick pages hold this person's usual answers: gone as soon as the server
// says the session is gone (sign-out, login page, a redirect where a page was expected).
function forgetPersonal() {
  return caches.open(CACHE).then(function (c) {
    return Promise.all(CONFIG.offline_pages.map(function (p) { return c["delete"](p); }));
  });
}

function cacheQuickPage(cache) {
  return fetch(CONFIG.quick, {credentials: "same-origin"}).then(function (resp) {
    if (storable(resp)) {
      return cache.put(CONFIG.quick, resp);
    }
    if (resp.redirected || resp.status === 401 || resp.status === 403) {
      return forgetPersonal();
    }
  }).catch(function () {});
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(CONFIG.shell).catch(function () {}).then(function () {
      return cacheQuickPage(cache);
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf("nachtwacht-") === 0 && k !== CACHE;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  if (event.data === "cache-quick") {
    event.waitUntil(caches.open(CACHE).then(cacheQuickPage));
  }
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (req.method === "POST" && url.pathname === CONFIG.logout) {
    event.waitUntil(forgetPersonal());
    return;
  }
  if (req.method !== "GET") {
    return;
  }
  if (req.mode === "navigate") {
    if (url.pathname === CONFIG.login) {
      // The login page is shown to someone not signed in (expired, ended elsewhere).
      event.waitUntil(forgetPersonal());
    }
    event.respondWith(fetch(req).then(function (resp) {
      var own = CONFIG.offline_pages.indexOf(url.pathname) >= 0;
      if (own && storable(resp)) {
        var copy = resp.clone();
        event.waitUntil(caches.open(CACHE).then(function (c) { return c.put(url.pathname, copy); }));
      } else if (own && (resp.type === "opaqueredirect" || resp.redirected)) {
        // A navigation answers a redirect where the quick page was: not signed in any more.
        event.waitUntil(forgetPersonal());
      }
      return resp;
    }).catch(function () {
      return caches.match(url.pathname).then(function (own) {
        return own || caches.match(CONFIG.quick);
      }).then(function (hit) {
        return hit || new Response(CONFIG.offline_text, {
          status: 503, headers: {"Content-Type": "text/plain; charset=utf-8"}});
      });
    }));
    return;
  }
  if (url.pathname.indexOf(CONFIG.static) === 0) {
    // Static files: from the cache at once, refreshed in the background.
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(req).then(function (hit) {
        var net = fetch(req).then(function (resp) {
          if (resp.ok) {
            cache.put(req, resp.clone());
          }
          return resp;
        });
        if (hit) {
          net.catch(function () {});
          return hit;
        }
        return net;
      });
    }));
  }
});

// Reminders (Web Push): the message holds no health data, only a title, a line and where to go.
self.addEventListener("push", function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (e) {
    data = {};
  }
  event.waitUntil(self.registration.showNotification(data.title || "Nachtwacht", {
    body: data.body || "", icon: CONFIG.static + "nachtwacht/icon-192.png", data: {url: data.url || CONFIG.quick}
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || CONFIG.quick;
  event.waitUntil(self.clients.openWindow(url));
});
