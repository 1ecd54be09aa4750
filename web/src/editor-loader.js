// The editor and the process diagram live in ./editor (bpmn-js, loaded with the page that needs
// them). While that part is not there the build puts a stub in its place, and pages say so.
export async function loadEditor() {
  const module = await import("./editor/index.js");
  if (module.missing || typeof module.mountEditor !== "function") return null;
  return module;
}
