// Voting pages: live tallies, votes sent over the socket with their acknowledgement, and
// pages that follow the plenary (console, projector) moving on when a round opens or closes.
// Without the socket, the vote form posts like any form and the page shows the result.
(function () {
  "use strict";

  // Counts written the page's way, with the Latin digits the server writes too.
  var numbers = new Intl.NumberFormat((document.documentElement.lang || "en") + "-u-nu-latn");
  function formatCount(value) { return numbers.format(value || 0); }
  function dispatch(name, detail) {
    document.dispatchEvent(new CustomEvent("live:" + name, { detail: detail }));
  }

  function showTally(tally) {
    document.querySelectorAll('[data-tally-round="' + tally.round_id + '"]').forEach(function (box) {
      if (Number(box.getAttribute("data-seq")) > tally.seq) { return; }
      box.setAttribute("data-seq", tally.seq);
      var total = 0;
      Object.keys(tally.counts).forEach(function (choice) {
        total += tally.counts[choice] + (tally.in_room[choice] || 0);
      });
      total = Math.max(total, 1);
      Object.keys(tally.counts).forEach(function (choice) {
        var count = tally.counts[choice] + (tally.in_room[choice] || 0);
        var cell = box.querySelector('[data-count="' + choice + '"]');
        if (cell) { cell.textContent = formatCount(tally.counts[choice]); }
        var hands = box.querySelector('[data-in-room="' + choice + '"]');
        if (hands) { hands.textContent = formatCount(tally.in_room[choice]); }
        var bar = box.querySelector('[data-bar="' + choice + '"]');
        if (bar) { bar.setAttribute("width", (100 * count / total).toFixed(1)); }
        var label = box.querySelector('[data-bar-count="' + choice + '"]');
        if (label) { label.textContent = formatCount(count); }
      });
      var voted = box.querySelector("[data-voted]");
      if (voted) { voted.textContent = formatCount(tally.turnout.voted); }
      var present = box.querySelector("[data-present]");
      if (present) { present.textContent = formatCount(tally.turnout.present); }
    });
    // The votes by stakeholder group, in the tallies that carry them (the console's room):
    // null when too few voted in each group to show them.
    if (tally.by_stakeholder_group !== undefined) {
      document.querySelectorAll('[data-group-breakdown="' + tally.round_id + '"]').forEach(function (box) {
        if (Number(box.getAttribute("data-seq")) > tally.seq) { return; }
        box.setAttribute("data-seq", tally.seq);
        showGroups(box, tally.by_stakeholder_group);
      });
    }
    document.querySelectorAll('.vote-form[data-round="' + tally.round_id + '"]').forEach(function (form) {
      var stored = Number(form.getAttribute("data-stored-seq") || 0);
      if (stored && tally.seq >= stored) {
        form.querySelector(".vote-feedback").textContent = form.getAttribute("data-text-counted");
      }
    });
  }

  // One's own vote, sent from another tab or device: the form shows it too.
  function showOwnVote(vote) {
    document.querySelectorAll('.vote-form[data-round="' + vote.round_id + '"]').forEach(function (form) {
      // Shown already (this tab sent it, or heard of it), or older than what is shown.
      if (Number(form.getAttribute("data-stored-seq") || 0) >= vote.seq) { return; }
      form.setAttribute("data-stored-seq", vote.seq);
      var choice = form.querySelector('input[name="choice"][value="' + vote.choice + '"]');
      if (choice) { choice.checked = true; }
      var reservation = form.querySelector('[name="reservation"]');
      if (reservation) { reservation.value = vote.reservation || ""; }
      var label = choice && form.querySelector('label[for="' + choice.id + '"]');
      var box = document.querySelector('[data-tally-round="' + vote.round_id + '"]');
      form.querySelector(".vote-feedback").textContent =
        box && Number(box.getAttribute("data-seq")) >= vote.seq
          ? form.getAttribute("data-text-counted")
          : form.getAttribute("data-text-stored-as").replace(
            "{choice}", label ? label.textContent.trim() : vote.choice);
    });
  }
  document.addEventListener("live:your_vote", function (event) { showOwnVote(event.detail); });

  function showGroups(box, groups) {
    var note = box.querySelector("[data-no-breakdown]");
    if (note) { note.hidden = groups !== null; }
    var table = box.querySelector(".table-scroll");
    if (table) { table.hidden = !groups || !Object.keys(groups).length; }
    box.querySelectorAll("[data-group]").forEach(function (row) {
      var counts = groups && groups[row.getAttribute("data-group")];
      row.hidden = !counts;
      row.querySelectorAll("[data-group-count]").forEach(function (cell) {
        cell.textContent = formatCount(counts ? counts[cell.getAttribute("data-group-count")] : 0);
      });
    });
  }

  document.addEventListener("live:tally", function (event) { showTally(event.detail); });
  document.addEventListener("live:joined", function (event) {
    var state = event.detail.reply && event.detail.reply.state;
    // One's own vote first, then the tally: a tally that counts it already says so.
    if (state && state.your_vote) {
      showOwnVote(Object.assign({ round_id: state.round_id }, state.your_vote));
    }
    if (state && state.tally) { showTally(state.tally); }
    // Joining again after being away: a round that closed, or opened, meanwhile is shown as
    // if its event had come (pages that show it already let it pass).
    if (state && state.round_id && state.open === false) { dispatch("round_closed", state); }
    if (state && state.open_rounds) {
      var open = state.open_rounds.map(String);
      document.querySelectorAll("[data-open-round]").forEach(function (element) {
        var shown = element.getAttribute("data-open-round");
        if (shown && open.indexOf(shown) === -1) {
          dispatch("round_closed", { round_id: Number(shown) });
        } else if (!shown && open.length) {
          dispatch("round_opened", { round_id: Number(open[0]) });
        }
      });
    }
  });

  // Pages that follow the plenary move on with it, unless they show that change already
  // (data-open-round: the round the page shows open, empty when none).
  function alreadyShown(element, name, detail) {
    if (!element.hasAttribute("data-open-round") || !detail) { return false; }
    var shown = element.getAttribute("data-open-round");
    if (name === "round_opened") { return shown === String(detail.round_id); }
    if (name === "round_closed") { return shown !== String(detail.round_id); }
    return false;
  }
  // A page whose form is being sent is about to be replaced: it does not reload itself.
  var leaving = false;
  document.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) { leaving = true; }
  });
  document.querySelectorAll("[data-reload-on]").forEach(function (element) {
    element.getAttribute("data-reload-on").split(" ").forEach(function (name) {
      document.addEventListener("live:" + name, function (event) {
        if (leaving || alreadyShown(element, name, event.detail)) { return; }
        var notice = element.getAttribute("data-text-changed");
        var place = element.querySelector("[data-changed-notice]");
        if (notice && place) { place.textContent = notice; } else { window.location.reload(); }
      });
    });
  });

  document.querySelectorAll(".vote-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var live = window.redTalksLive;
      if (!live || !live.socket.connected) { return; }
      var choice = form.querySelector('input[name="choice"]:checked');
      if (!choice) { return; }
      event.preventDefault();
      var feedback = form.querySelector(".vote-feedback");
      var reservation = form.querySelector('[name="reservation"]');
      feedback.textContent = form.getAttribute("data-text-sending");
      live.socket.timeout(8000).emit("cast_vote", {
        round_id: Number(form.getAttribute("data-round")),
        choice: choice.value,
        reservation: reservation && reservation.value ? reservation.value : null
      }, function (error, answer) {
        if (error) {
          // No answer: the plain form is the sure way (a vote sent twice is still one vote).
          feedback.textContent = form.getAttribute("data-text-failed");
          form.submit();
          return;
        }
        if (answer.ok) {
          form.setAttribute("data-stored-seq", answer.seq);
          feedback.textContent = form.getAttribute("data-text-stored");
        } else {
          feedback.textContent = answer.error;
          if (answer.code === "busy") { live.later(answer, function () { form.requestSubmit(); }); }
        }
      });
    });
  });
})();
