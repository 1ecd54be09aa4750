// The app's entry point (the shell's router takes it over).
document.getElementById("app").textContent = "Automations";
