// As-you-type JSONata syntax check: one `POST api/v1/expressions/check` per distinct text,
// remembered, so re-rendering a field costs nothing. The panel asks synchronously; the first
// ask starts the request and the answer arrives as an `automations.expressionChecked` event.
const LIMIT = 500;

export function createChecker(api, eventBus) {
  const answers = new Map();

  function check(text) {
    if (answers.has(text)) return answers.get(text);
    answers.set(text, null);
    if (answers.size > LIMIT) answers.delete(answers.keys().next().value);
    api
      .post("api/v1/expressions/check", { expression: text })
      .then((answer) => {
        answers.set(text, answer);
        eventBus.fire("automations.expressionChecked", { text, answer });
      })
      .catch(() => answers.delete(text)); // asked again on the next render
    return null;
  }

  return { check };
}
