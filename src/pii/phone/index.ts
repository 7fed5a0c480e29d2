export { compileNumberingPlans, type NumberingPlans } from "./plans.js";
export { phoneValidator } from "./validator.js";
