// What every page needs: the API client, the translator, the signed-in user, the language.
import { createContext } from "@bpmn-io/properties-panel/preact";
import { useContext } from "@bpmn-io/properties-panel/preact/hooks";

export const AppContext = createContext(null);

export function useApp() {
  return useContext(AppContext);
}
