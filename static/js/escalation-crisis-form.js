// Show the region choice only when the scope "only some regions" is chosen.
(function () {
  var box = document.querySelector("[data-escalation-regions]");
  if (!box) return;
  var radios = document.querySelectorAll("input[name=scope]");
  function update() {
    var chosen = document.querySelector("input[name=scope]:checked");
    box.hidden = !chosen || chosen.value !== "regions";
  }
  radios.forEach(function (r) { r.addEventListener("change", update); });
  update();
})();
