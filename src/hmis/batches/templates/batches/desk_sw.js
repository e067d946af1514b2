{% load static %}/* The desk's service worker (served at /batches/desk-sw.js, scope /batches/): the scanning desk
 * opens without the network. Desk pages and static files: network first, the last good copy when
 * offline. Everything else (scans, posting, lists) goes to the network as
 * usual; the desk page keeps unsent scans in IndexedDB itself. */
"use strict";
var CACHE = "hmis-desk";
var DESK_PAGE = /^\/batches\/\d+\/add\/$/;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function pageKey(url) {
  return url.origin + url.pathname;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && DESK_PAGE.test(url.pathname)) {
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok && !response.redirected) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(pageKey(url), copy); });
        }
        return response;
      }).catch(function () {
        return caches.open(CACHE).then(function (cache) {
          return cache.match(pageKey(url)).then(function (kept) {
            return kept || new Response(
              "<!doctype html><title>Offline</title><p>Offline, and this desk was not opened " +
              "on this device before. Open it once while online.</p>",
              { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
          });
        });
      })
    );
    return;
  }
  if (url.pathname.indexOf("{% get_static_prefix %}") === 0) {
    // Network first here too: an upgrade's new scripts are used at once when online.
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      }).catch(function () {
        return caches.open(CACHE).then(function (cache) { return cache.match(request); })
          .then(function (kept) { return kept || Response.error(); });
      })
    );
  }
});
