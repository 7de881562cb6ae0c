// The scoring form's running total as the scorer types (the page works without it: the
// "preview" button asks the server, which also gives the grade). Served by the app.
(function () {
  var form = document.querySelector("form.scoring");
  var out = form && form.querySelector("strong.total");
  if (!out) return;
  var recorded = parseFloat(out.textContent) || 0;
  var inputs = form.querySelectorAll("input.score-input");
  var start = {};
  inputs.forEach(function (i) { start[i.name] = parseFloat(i.value) || 0; });
  function value(i) {
    var v = parseFloat(i.value) || 0;
    return i.dataset.weight ? v * parseFloat(i.dataset.weight) / 100 : v;
  }
  function update() {
    var delta = 0;
    inputs.forEach(function (i) {
      var before = start[i.name];
      delta += value(i) - (i.dataset.weight ? before * parseFloat(i.dataset.weight) / 100 : before);
    });
    out.textContent = (Math.round((recorded + delta) * 100) / 100).toString();
  }
  inputs.forEach(function (i) { i.addEventListener("input", update); });
})();
