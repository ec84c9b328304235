// Messages about one thing on the map, named once.

/** `${name}: ${message}`, unless the server's message names it already ("แปลง 904: …"), so a
 * refused save never reads "แปลง 904: แปลง 904: …". */
export function named(name, message) {
  const text = String(message ?? "");
  const head = String(name ?? "").trim();
  if (!head) return text;
  if (text.toLocaleLowerCase().startsWith(`${head.toLocaleLowerCase()}:`)) return text;
  return `${head}: ${text}`;
}
