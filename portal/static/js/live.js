// Follows the rooms the page names (data-live-room="kind:id") and dispatches each server
// event on document as "live:<event>". Every page also works without it.
(function () {
  "use strict";
  if (typeof io !== "function") { return; }

  // Each room once.
  var rooms = Array.prototype.map.call(
    document.querySelectorAll("[data-live-room]"),
    function (element) { return element.getAttribute("data-live-room"); }
  ).filter(function (room, index, all) { return all.indexOf(room) === index; });
  if (rooms.length === 0) { return; }

  // The server's time when the page was made, then at each join: the join's answer brings
  // what changed since.
  var madeAt = document.querySelector('meta[name="live-since"]');
  var since = {};
  rooms.forEach(function (room) { since[room] = madeAt ? madeAt.content : null; });

  // Each connection names the rooms as it opens, and the server answers each with
  // "join_answer" before the connection (docs/live-protocol.md).
  var socket = io({ transports: ["websocket", "polling"], withCredentials: true, auth: function (send) {
    send({ rooms: rooms.map(function (room) { return { room: room, since: since[room] }; }) });
  } });

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
  var answeredNow = {};
  socket.on("join_answer", function (answer) {
    if (answer && since.hasOwnProperty(answer.room)) { answeredNow[answer.room] = 1; answered(answer.room, answer.reply); }
  });
  socket.on("connect_error", function (error) {
    if (error.data && error.data.code === "busy") { later(error.data, function () { socket.connect(); }); }
  });

  socket.on("connect", function () {
    document.documentElement.setAttribute("data-live", "connected");
    rooms.forEach(function (room) { if (!answeredNow[room]) { join(room); } });
    answeredNow = {};
    announce("connected", {});
  });
  // The server asks for every room again (resync) when it may have missed events.
  socket.on("resync", joinAll);
  // A page back in view (a tab chosen, a phone woken) may have missed events.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && socket.connected) { joinAll(); }
  });
  socket.on("disconnect", function () {
    document.documentElement.setAttribute("data-live", "disconnected");
    announce("disconnected", {});
  });
  socket.onAny(announce);

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
