// The like button of a dream page: one like per browser, counted by the server.
"use strict";

(function () {
  const article = document.querySelector("article.dream[data-like-url]");
  if (!article) return;
  const button = article.querySelector(".like-button");
  const label = article.querySelector(".like-label");
  const count = article.querySelector(".like-count .count");
  const error = article.querySelector(".like-error");

  async function like() {
    button.disabled = true;
    error.textContent = "";
    let response;
    try {
      response = await fetch(article.dataset.likeUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: "{}",
        credentials: "same-origin",
      });
    } catch (failure) {
      error.textContent = "The like could not be sent; check the connection and try again.";
      button.disabled = false;
      return;
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      error.textContent = body.error || "The like was not counted; try again later.";
      button.disabled = response.status !== 429;
      return;
    }
    count.textContent = String(body.likes);
    label.textContent = "Liked";
    button.setAttribute("aria-pressed", "true");
  }

  button.addEventListener("click", like);
})();
