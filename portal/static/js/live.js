// Live updates: follows the rooms the page names (data-live-room="kind:id") and dispatches
// each server event on document as "live:<event>" (payload in detail) for the page's own
// scripts. The socket is the fast path only: every page also works without it.
(function () {
  "use strict";
  if (typeof io !== "function") { return; }

  // Each room once, though several parts of the page may follow it.
  var rooms = Array.prototype.map.call(
    document.querySelectorAll("[data-live-room]"),
    function (element) { return element.getAttribute("data-live-room"); }
  ).filter(function (room, index, all) { return all.indexOf(room) === index; });
  if (rooms.length === 0) { return; }

  // The server's time when the page was made, then at each join: a join sends it back, and
  // the answer carries what changed since (comments missed while away, the round's state).
  var madeAt = document.querySelector('meta[name="live-since"]');
  var since = {};
  rooms.forEach(function (room) { since[room] = madeAt ? madeAt.content : null; });

  // Rooms are per connection: each connection, the first and every reconnection, names the
  // page's rooms as it opens, and the server joins them then, answering each with a
  // "join_answer" event before the connection's own answer (one round trip, not two).
  var socket = io({
    transports: ["websocket", "polling"], withCredentials: true,
    auth: function (send) {
      send({ rooms: rooms.map(function (room) { return { room: room, since: since[room] }; }) });
    }
  });

  function announce(name, detail) {
    document.dispatchEvent(new CustomEvent("live:" + name, { detail: detail }));
  }

  // "busy" (too many arriving at once): again after retry_after s, and up to as long again.
  function later(reply, again) { setTimeout(again, (reply.retry_after || 5) * (1 + Math.random()) * 1e3); }

  function answered(room, reply) {
    if (reply && reply.code === "busy") { return later(reply, function () { join(room); }); }
    if (reply && reply.ok && reply.now) { since[room] = reply.now; }
    announce(reply && reply.ok ? "joined" : "refused", { room: room, reply: reply });
  }

  function join(room) {
    socket.emit("join", { room: room, since: since[room] }, function (reply) { answered(room, reply); });
  }

  function joinAll() { rooms.forEach(join); }
  // The rooms answered as this connection opened (its "join_answer" events come first).
  var answeredOnConnecting = {};
  socket.on("join_answer", function (answer) {
    if (answer && rooms.indexOf(answer.room) !== -1) {
      answeredOnConnecting[answer.room] = true;
      answered(answer.room, answer.reply);
    }
  });
  socket.on("connect_error", function (error) {
    if (error.data && error.data.code === "busy") { later(error.data, function () { socket.connect(); }); }
  });

  socket.on("connect", function () {
    document.documentElement.setAttribute("data-live", "connected");
    // A room the server did not answer as the connection opened is joined now.
    rooms.forEach(function (room) { if (!answeredOnConnecting[room]) { join(room); } });
    answeredOnConnecting = {};
    announce("connected", {});
  });
  // The server asks for the rooms again (resync) when it may have missed events between its
  // processes.
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
  socket.onAny(function (name, payload) { if (name !== "join_answer") { announce(name, payload); } });

  // How many are in a breakout group's room, in each plural form the page gives (data-text-*).
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

  window.redTalksLive = { socket: socket, rooms: rooms, later: later };
})();
