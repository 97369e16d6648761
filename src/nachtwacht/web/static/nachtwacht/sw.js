// Nachtwacht service worker (issue #14): keeps the app shell and the quick morning page
// so the diary opens from the home screen without a connection. Entries made offline
// are queued by quick.js in IndexedDB and sent by the page when it is online again
// (with a fresh CSRF token, which a service worker cannot read).
// Served by the view at /sw.js, which fills in CONFIG (paths of this installation).
"use strict";
var CONFIG = __CONFIG__;
var CACHE = "nachtwacht-" + CONFIG.version;

function cacheQuickPage(cache) {
  // Only a real quick page: a redirect means "not signed in" (the login page must not
  // be stored under the quick page's address).
  return fetch(CONFIG.quick, {credentials: "same-origin"}).then(function (resp) {
    if (resp.ok && !resp.redirected) {
      return cache.put(CONFIG.quick, resp);
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
    // Signing out: the stored quick pages hold this person's usual answers.
    event.waitUntil(caches.open(CACHE).then(function (c) {
      return Promise.all(CONFIG.offline_pages.map(function (p) { return c["delete"](p); }));
    }));
    return;
  }
  if (req.method !== "GET") {
    return;
  }
  if (req.mode === "navigate") {
    event.respondWith(fetch(req).then(function (resp) {
      if (CONFIG.offline_pages.indexOf(url.pathname) >= 0 && resp.ok && !resp.redirected) {
        var copy = resp.clone();
        caches.open(CACHE).then(function (c) { c.put(url.pathname, copy); });
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
