// Workflow forms: a range slider shows its value as it moves.
(() => {
  "use strict";
  document.addEventListener("input", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.dataset.rangeOutput) return;
    const output = document.getElementById(input.dataset.rangeOutput);
    if (output) output.textContent = input.value;
  });
})();
