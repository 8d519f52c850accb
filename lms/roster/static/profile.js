// "Select all" for each region of the prefecture checkboxes (the buttons stay hidden without JavaScript).
document.querySelectorAll(".select-region").forEach((button) => {
  const boxes = document.querySelectorAll(`[data-region-boxes="${button.dataset.region}"] input[type=checkbox]`);
  button.hidden = false;
  button.addEventListener("click", () => {
    const all = Array.from(boxes).every((box) => box.checked);
    boxes.forEach((box) => { box.checked = !all; });
  });
});
