// Live updates: joins the rooms the page names and turns server events into DOM events.
//
// An element with data-live-room="kind:id" asks to follow that room. Every server event is
// dispatched on document as a CustomEvent named "live:<event>" with the payload as detail,
// so each page's own script listens for what it shows. The socket is the fast path only:
// every page also works without it.
(function () {
  "use strict";
  if (typeof io !== "function") { return; }

  // Each room once, though several parts of the page may follow it.
  var rooms = Array.prototype.map.call(
    document.querySelectorAll("[data-live-room]"),
    function (element) { return element.getAttribute("data-live-room"); }
  ).filter(function (room, index, all) { return all.indexOf(room) === index; });
  if (rooms.length === 0) { return; }

  var socket = io({ transports: ["websocket", "polling"], withCredentials: true });

  function announce(name, detail) {
    document.dispatchEvent(new CustomEvent("live:" + name, { detail: detail }));
  }

  // The server's time when the page was made, then at each join: a join sends it back, and
  // the answer carries what changed since (comments missed while away, the round's state).
  var madeAt = document.querySelector('meta[name="live-since"]');
  var since = {};
  rooms.forEach(function (room) { since[room] = madeAt ? madeAt.content : null; });

  function joinAll() {
    rooms.forEach(function (room) {
      socket.emit("join", { room: room, since: since[room] }, function (reply) {
        if (reply && reply.ok && reply.now) { since[room] = reply.now; }
        announce(reply && reply.ok ? "joined" : "refused", { room: room, reply: reply });
      });
    });
  }

  // On the first connection and after every reconnection: rooms are per connection. The
  // server asks for the same (resync) when it may have missed events between its processes.
  socket.on("connect", function () {
    document.documentElement.setAttribute("data-live", "connected");
    joinAll();
    announce("connected", {});
  });
  socket.on("resync", joinAll);
  // A page coming back into view (a tab chosen again, a phone woken) may have missed events
  // while the browser held it back: it asks for the state again.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && socket.connected) { joinAll(); }
  });
  socket.on("disconnect", function () {
    document.documentElement.setAttribute("data-live", "disconnected");
    announce("disconnected", {});
  });
  socket.onAny(function (name, payload) { announce(name, payload); });

  // How many people are in a breakout group's room right now, in the page's language: the page
  // gives the message in each plural form of its language (data-text-one, -few, -other...).
  var language = document.documentElement.lang || "en";
  var plurals = new Intl.PluralRules(language);
  var numbers = new Intl.NumberFormat(language + "-u-nu-latn");
  socket.on("presence", function (payload) {
    document.querySelectorAll('[data-presence-room="' + payload.room + '"]').forEach(
      function (element) {
        var template = element.getAttribute("data-text-" + plurals.select(payload.count)) ||
          element.getAttribute("data-text-other");
        element.textContent = template.replace("{count}", numbers.format(payload.count));
        element.hidden = false;
      }
    );
  });

  window.redTalksLive = { socket: socket, rooms: rooms };
})();
