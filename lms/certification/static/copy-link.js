// "Verification link": a plain link without JavaScript; with it, a click copies the address instead.
document.querySelectorAll("a.copy-link").forEach(function (link) {
  link.addEventListener("click", function (event) {
    if (!navigator.clipboard) { return; }
    event.preventDefault();
    navigator.clipboard.writeText(link.href).then(function () {
      var status = link.parentElement.querySelector(".copy-status");
      if (status) { status.textContent = link.dataset.copied; }
    }, function () { window.location.href = link.href; });
  });
});
