// The try-it page: sends the form, then follows the dream's progress over server-sent events.
"use strict";

(function () {
  const form = document.querySelector("form.try");
  if (!form) return;
  const model = form.querySelector("#model");
  const layer = form.querySelector("#layer");
  const pictureField = form.querySelector(".picture-field");
  const submit = form.querySelector("button[type=submit]");
  const progress = document.querySelector("section.progress");
  const bar = progress.querySelector(".bar");
  const status = progress.querySelector(".status");
  const previews = progress.querySelector(".previews");
  const outcome = document.querySelector("section.outcome");

  function showLayersOf(network) {
    let firstEnabled = null;
    for (const group of layer.querySelectorAll("optgroup")) {
      const mine = group.dataset.network === network;
      group.hidden = !mine;
      group.disabled = !mine;
      if (mine && !firstEnabled) firstEnabled = group.querySelector("option[selected]") || group.querySelector("option");
    }
    const current = layer.selectedOptions[0];
    if (!current || current.parentElement.disabled) firstEnabled.selected = true;
  }

  function showSource() {
    const noise = form.querySelector("input[name=source]:checked").value === "noise";
    pictureField.hidden = noise;
    form.querySelector("#picture").required = !noise;
  }

  function say(text, failed) {
    status.textContent = text;
    status.classList.toggle("failed", Boolean(failed));
  }

  function addPreview(url, octave, octaves) {
    const item = document.createElement("li");
    const image = document.createElement("img");
    image.src = url;
    image.alt = "The dream after octave " + octave + " of " + octaves;
    item.appendChild(image);
    previews.appendChild(item);
  }

  function follow(eventsUrl) {
    progress.hidden = false;
    say("Waiting for the dream to start…");
    const events = new EventSource(eventsUrl);
    events.addEventListener("queued", (event) => {
      const data = JSON.parse(event.data);
      say(data.text);
    });
    events.addEventListener("progress", (event) => {
      const data = JSON.parse(event.data);
      bar.value = data.fraction;
      say(data.text);
      if (data.preview_url) addPreview(data.preview_url, data.octave, data.octaves);
    });
    events.addEventListener("done", (event) => {
      const data = JSON.parse(event.data);
      events.close();
      bar.value = 1;
      say(data.text);
      const image = outcome.querySelector("img");
      image.src = data.image_url;
      image.alt = data.alt;
      const link = outcome.querySelector(".dream-link");
      if (data.dream_url) link.href = data.dream_url; else link.hidden = true;
      outcome.hidden = false;
      submit.disabled = false;
      outcome.querySelector("h2").scrollIntoView();
    });
    events.addEventListener("failed", (event) => {
      const data = JSON.parse(event.data);
      events.close();
      say(data.text, true);
      submit.disabled = false;
    });
  }

  async function send(event) {
    event.preventDefault();
    submit.disabled = true;
    previews.replaceChildren();
    outcome.hidden = true;
    bar.value = 0;
    progress.hidden = false;
    say("Sending…");
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
    } catch (failure) {
      say("The dream could not be sent; is dreambot still running?", true);
      submit.disabled = false;
      return;
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      say(body.error || "The dream was refused.", true);
      submit.disabled = false;
      return;
    }
    follow(body.events_url);
  }

  model.addEventListener("change", () => showLayersOf(model.value));
  for (const radio of form.querySelectorAll("input[name=source]")) radio.addEventListener("change", showSource);
  form.addEventListener("submit", send);
  showLayersOf(model.value);
  showSource();
  if (form.dataset.eventsUrl) follow(form.dataset.eventsUrl);
})();
