import "../core/zod-jitless"; // first: before any zod schema is built (see the module)
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import "./app.css";
import { installScriptingHook } from "./scripting";

installScriptingHook();

const root = document.getElementById("root");
if (root === null) throw new Error('index.html has no element with id "root"');

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
