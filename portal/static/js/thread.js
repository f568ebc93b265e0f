// A thread page: comments posted, edited, deleted or hidden by others appear without reload.
// The server sends the comment's body already rendered and sanitised (nh3); the rest is text.
(function () {
  "use strict";
  var thread = document.querySelector(".thread[data-live-room]");
  if (!thread) { return; }
  var threadId = Number(thread.getAttribute("data-live-room").split(":")[1]);
  var status = thread.querySelector(".live-status");

  function text(name) { return thread.getAttribute("data-text-" + name) || ""; }

  // Times as the server writes them: the reader's language, Latin digits, the consultation's
  // time zone.
  var timeFormat = new Intl.DateTimeFormat(document.documentElement.lang + "-u-nu-latn", {
    dateStyle: "medium", timeStyle: "short",
    timeZone: thread.getAttribute("data-time-zone") || undefined
  });

  // A name in its own direction: an English name keeps its punctuation on an Arabic page.
  function isolated(name) {
    var bdi = document.createElement("bdi");
    bdi.textContent = name;
    return bdi;
  }

  function announce(author) {
    status.textContent = text("new") + ": ";
    status.appendChild(isolated(author));
  }

  function gone(state) {
    var paragraph = document.createElement("p");
    paragraph.className = "comment-gone";
    paragraph.textContent = text(state === "deleted" ? "deleted" : "hidden");
    return paragraph;
  }

  function build(comment) {
    var article = document.createElement("article");
    article.className = "comment" + (comment.parent_id ? " reply" : "") + " comment-new";
    article.id = "comment-" + comment.id;
    article.setAttribute("data-comment-id", comment.id);
    fill(article, comment);
    return article;
  }

  function fill(article, comment) {
    article.textContent = "";
    if (comment.state !== "visible") { article.appendChild(gone(comment.state)); return; }
    var header = document.createElement("header");
    header.className = "comment-meta";
    var author = document.createElement("strong");
    author.className = "comment-author";
    author.appendChild(isolated(comment.author));
    var time = document.createElement("time");
    time.setAttribute("datetime", comment.created_at);
    time.textContent = timeFormat.format(new Date(comment.created_at));
    header.appendChild(author);
    header.appendChild(document.createTextNode(" "));
    header.appendChild(time);
    if (comment.edited) {
      var edited = document.createElement("span");
      edited.className = "edited";
      edited.textContent = " " + text("edited");
      header.appendChild(edited);
    }
    var body = document.createElement("div");
    body.className = "comment-body";
    body.dir = "auto";  // what people write runs in its own direction, whatever the page's
    body.innerHTML = comment.html;  // sanitised on the server with an allow-list
    article.appendChild(header);
    article.appendChild(body);
  }

  function add(comment) {
    var list = thread.querySelector('[data-comment-list="' + (comment.parent_id || "top") + '"]');
    if (!list) { return false; }
    var item = document.createElement("li");
    item.appendChild(build(comment));
    list.appendChild(item);
    if (!comment.parent_id) {
      // Replies to a comment that came live go in a list of their own, as on the page.
      var replies = document.createElement("ol");
      replies.className = "replies";
      replies.setAttribute("data-comment-list", comment.id);
      item.appendChild(replies);
    }
    var empty = thread.querySelector("[data-when-empty]");
    if (empty) { empty.hidden = true; }
    return true;
  }

  // A comment as the server sends it: added when new here, brought up to date otherwise.
  function apply(comment) {
    if (comment.thread_id !== threadId) { return false; }
    var article = document.getElementById("comment-" + comment.id);
    if (article) { fill(article, comment); return false; }
    return add(comment);
  }

  document.addEventListener("live:comment_created", function (event) {
    if (apply(event.detail) && status) {
      announce(event.detail.author);
    }
  });
  document.addEventListener("live:comment_updated", function (event) { apply(event.detail); });
  document.addEventListener("live:comment_hidden", function (event) { apply(event.detail); });

  // Joining again after a reconnect or a resync: the comments changed while away.
  document.addEventListener("live:joined", function (event) {
    var state = event.detail.reply && event.detail.reply.state;
    if (event.detail.room !== "thread:" + threadId || !state || !state.comments) { return; }
    var added = state.comments.filter(apply);
    if (added.length && status) {
      announce(added[added.length - 1].author);
    }
  });
})();
