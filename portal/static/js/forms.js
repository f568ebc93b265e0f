// Text areas with a limit: "1,234 of 5,000 characters" under them as one types, in the page's
// language (the messages come with the page, in data-text-within and data-text-over). The
// browser's maxlength would cut a longer text without a word, a pasted one included: it is
// lifted, the count says by how much the text is too long, and the server refuses it with a
// message and keeps it. Without this script the limit stays and the field's hint states it.
(function () {
  "use strict";
  var numbers = new Intl.NumberFormat((document.documentElement.lang || "en") + "-u-nu-latn");

  // Characters as the server counts them: a line break is one, an emoji is one.
  function length(text) { return Array.from(text).length; }

  function follow(counter) {
    var field = document.getElementById(counter.getAttribute("data-count-for"));
    var limit = Number(counter.getAttribute("data-limit"));
    if (!field || !limit) { return; }
    field.removeAttribute("maxlength");
    function update() {
      var count = length(field.value);
      var over = count > limit;
      counter.textContent = (counter.getAttribute(over ? "data-text-over" : "data-text-within") || "")
        .replace("{count}", numbers.format(count));
      counter.classList.toggle("character-count-over", over);
      if (over) {
        field.setAttribute("aria-invalid", "true");
      } else if (!field.closest(".field-invalid")) {
        field.removeAttribute("aria-invalid");
      }
    }
    field.addEventListener("input", update);
    update();
    counter.hidden = false;
  }

  document.querySelectorAll("[data-count-for]").forEach(follow);
})();
