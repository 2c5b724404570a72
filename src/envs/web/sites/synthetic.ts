import { seededRandom } from "../../../search/random.js";

/**
 * Generated pages of a given size, for measuring and testing the action language on pages of 50
 * to 500 interactive elements: links (about one in twenty to another origin), buttons, labelled
 * text fields (one password, one card number), selects, all in one form.
 */
/** A page with `n` interactive elements: links (a few to another origin), buttons, labelled text fields (one password, one card number), selects. */
export function syntheticPage(n: number, seed: number): string {
  const random = seededRandom(seed);
  const words = ["red", "cotton", "shirt", "blue", "mug", "lamp", "desk", "coffee", "boots", "trail", "steel", "linen"];
  const phrase = () => Array.from({ length: 2 + Math.floor(random() * 3) }, () => words[Math.floor(random() * words.length)]).join(" ");
  const items: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = random();
    if (i === 0) items.push(`<p><label for="f${i}">Password</label> <input type="password" id="f${i}" name="pw"></p>`);
    else if (i === 1) items.push(`<p><label for="f${i}">Card number</label> <input type="text" id="f${i}" name="card" autocomplete="cc-number"></p>`);
    else if (r < 0.6) items.push(`<li><a href="${random() < 0.05 ? "http://elsewhere.example" : ""}/item/${i}">${phrase()} ${i}</a> — $${(random() * 90 + 5).toFixed(2)}</li>`);
    else if (r < 0.75) items.push(`<p><button type="submit">${phrase()} ${i}</button></p>`);
    else if (r < 0.9) items.push(`<p><label for="f${i}">${phrase()} ${i}</label> <input type="text" id="f${i}" name="f${i}"></p>`);
    else items.push(`<p><label for="f${i}">Option ${i}</label> <select id="f${i}" name="s${i}">${["S", "M", "L", "XL", "Red (+$2.00)"].map((o) => `<option>${o}</option>`).join("")}</select></p>`);
  }
  return `<!DOCTYPE html><html><head><title>Page ${seed}</title></head><body><main><h1>Page ${seed}</h1><form action="/submit" method="post"><ul>${items.join("")}</ul></form></main></body></html>`;
}

