// The compiler's problems for the selected element, at the top of the panel.
import { useService } from "bpmn-js-properties-panel";

function ProblemList({ element }) {
  const { problems } = useService("automations");
  const mine = problems.of(element.id);
  return (
    <ul class="auto-problems" data-entry-id="auto-problems">
      {mine.map((problem, index) => (
        <li key={index} class="auto-problem">
          {problem.message}
        </li>
      ))}
    </ul>
  );
}

export function problemsGroup(element, ctx, Group) {
  if (!ctx.problems.of(element.id).length) return null;
  return {
    id: "auto-problems",
    label: ctx.t("editor.problems.group"),
    component: Group,
    shouldOpen: true,
    entries: [{ id: "auto-problems-list", component: ProblemList }],
  };
}
