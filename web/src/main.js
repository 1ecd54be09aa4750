// The app's entry point: styles, then the shell (session, navigation, routes) into #app.
import "./styles.css";
import { render } from "@bpmn-io/properties-panel/preact";
import { jsx } from "@bpmn-io/properties-panel/preact/jsx-runtime";
import { App } from "./app.jsx";
import { interceptLinks } from "./router.js";

const root = document.getElementById("app");
interceptLinks(root);
render(jsx(App, {}), root);
