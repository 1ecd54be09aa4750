// Every page of the app and who may open it (`admin`: hidden from members, as the API refuses
// them those routes anyway).
import { CatalogsPage } from "./pages/catalogs.jsx";
import { ProcessPage } from "./pages/process.jsx";
import { ProcessesPage } from "./pages/processes.jsx";
import { RecordsPage } from "./pages/records.jsx";
import { ScenarioPage } from "./pages/scenario.jsx";
import { ScenariosPage } from "./pages/scenarios.jsx";
import { SchedulesPage } from "./pages/schedules.jsx";
import { SubscriptionsPage } from "./pages/subscriptions.jsx";
import { UsersPage } from "./pages/users.jsx";
import { WebRequestsPage } from "./pages/webrequests.jsx";

export const ROUTES = [
  { pattern: "scenarios", page: ScenariosPage, admin: true },
  { pattern: "scenarios/new", page: ScenarioPage, admin: true },
  { pattern: "scenarios/:id", page: ScenarioPage, admin: true },
  { pattern: "processes", page: ProcessesPage },
  { pattern: "processes/:id", page: ProcessPage },
  { pattern: "subscriptions", page: SubscriptionsPage, admin: true },
  { pattern: "webrequests", page: WebRequestsPage, admin: true },
  { pattern: "schedules", page: SchedulesPage, admin: true },
  { pattern: "catalogs", page: CatalogsPage },
  { pattern: "catalogs/:id", page: RecordsPage },
  { pattern: "catalogs/:id/records/:recordId", page: RecordsPage }, // its card open
  { pattern: "users", page: UsersPage, admin: true },
];

export const NAV = [
  { path: "scenarios", label: "nav.scenarios", admin: true },
  { path: "processes", label: "nav.processes" },
  { path: "subscriptions", label: "nav.subscriptions", admin: true },
  { path: "webrequests", label: "nav.webrequests", admin: true },
  { path: "schedules", label: "nav.schedules", admin: true },
  { path: "catalogs", label: "nav.catalogs" },
  { path: "users", label: "nav.users", admin: true },
];
