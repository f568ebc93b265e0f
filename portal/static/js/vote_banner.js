// "Vote now": when a round opens in the consultation, the banner of the page (a polite live
// region, data-vote-banner) shows a link to the vote, and it goes when the round closes. The
// focus stays where it is: someone typing a comment is not interrupted, a screen reader
// announces the link. Without the socket, the page shows the open vote when it is loaded.
(function () {
  "use strict";
  var banners = document.querySelectorAll("[data-vote-banner]");
  if (!banners.length) { return; }

  function show(banner, round) {
    if (banner.getAttribute("data-open-round") === String(round.round_id) &&
        banner.querySelector("a")) { return; }
    var text = round.text || banner.getAttribute("data-text-vote")
      .replace("{reference}", round.reference || "")
      .replace("{title}", round.title || "");
    var link = document.createElement("a");
    link.href = round.href ||
      banner.getAttribute("data-href").replace("{id}", String(round.recommendation_id));
    link.textContent = text;
    var line = document.createElement("p");
    line.className = "vote-banner";
    line.appendChild(link);
    banner.replaceChildren(line);
    banner.setAttribute("data-open-round", String(round.round_id));
    document.querySelectorAll("[data-hidden-while-voting]").forEach(function (element) {
      element.hidden = true;
    });
  }

  function hide(banner, roundId) {
    var shown = banner.getAttribute("data-open-round");
    if (!shown || (roundId !== undefined && shown !== String(roundId))) { return; }
    banner.replaceChildren();
    banner.setAttribute("data-open-round", "");
    document.querySelectorAll("[data-hidden-while-voting]").forEach(function (element) {
      element.hidden = false;
    });
  }

  document.addEventListener("live:round_opened", function (event) {
    if (!event.detail || !event.detail.recommendation_id) { return; }
    banners.forEach(function (banner) { show(banner, event.detail); });
  });
  document.addEventListener("live:round_closed", function (event) {
    var roundId = event.detail && event.detail.round_id;
    banners.forEach(function (banner) { hide(banner, roundId); });
  });
  // Joining again (after a reconnection, or a phone woken up): the consultation's state says
  // which round is open now; a banner for a round that closed meanwhile goes.
  document.addEventListener("live:joined", function (event) {
    var reply = event.detail.reply;
    if (!reply || !reply.state || !reply.state.open_rounds) { return; }
    var open = reply.state.open_rounds.map(String);
    banners.forEach(function (banner) {
      var shown = banner.getAttribute("data-open-round");
      if (shown && open.indexOf(shown) === -1) { hide(banner, shown); }
      if (!shown && open.length) {
        // A round opened while away: the short address leads to it.
        show(banner, { round_id: open[0], text: banner.getAttribute("data-text-vote-any"),
                       href: banner.getAttribute("data-href-any") });
      }
    });
  });
})();
