// Register search: changing the sort order submits the search form at once.
(function () {
  "use strict";
  var form = document.getElementById("registry-search");
  if (!form) { return; }
  var sort = form.querySelector("select[name=sort]");
  if (sort) {
    sort.addEventListener("change", function () { form.submit(); });
  }
})();
