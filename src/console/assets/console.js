// The console's one script: a "select all" box ticks every box of the same form with the name
// in its data-selects attribute. Everything works without it.
document.addEventListener("change", (e) => {
  const box = e.target;
  if (!box.matches("input[type=checkbox][data-selects]")) return;
  for (const b of box.form.querySelectorAll(`input[type=checkbox][name="${box.dataset.selects}"]`)) {
    b.checked = box.checked;
  }
});
