// The web environment's public surface (`import … from "ltlguard/web"`): the sites, the drivers,
// the tasks and evaluators, web policies and the per-step action language, the injection suite,
// and the environment for the search layer.
export { startSites, SiteServer, SESSION_COOKIE, SITE_NAMES } from "./sites/index.js";
export type { RunningSites, SitesOptions, SiteName, SiteDefinition, SiteRequest, SiteResponse, Fault, RequestRecord } from "./sites/index.js";
export { createShopSite } from "./sites/shop.js";
export type { ShopState, ShopPlant, Order, CartLine } from "./sites/shop.js";
export { createFlightsSite } from "./sites/flights.js";
export type { FlightsState, FlightsPlant, Booking } from "./sites/flights.js";
export { createWikiSite } from "./sites/wiki.js";
export type { WikiState, WikiPlant } from "./sites/wiki.js";
export { generateCatalog, searchProducts, unitPrice } from "./sites/shop-catalog.js";
export type { Catalog, Product } from "./sites/shop-catalog.js";
export { generateWiki } from "./sites/wiki-data.js";
export { flightsFor } from "./sites/flights-data.js";
export { syntheticPage } from "./sites/synthetic.js";

export { parseAction, formatAction, ActionSyntaxError, ACTION_KINDS, MAX_ARGUMENT_BYTES } from "./actions.js";
export type { WebAction, ActionKind } from "./actions.js";
export { parseHtml } from "./dom/html-parser.js";
export { computeTree, renderTree } from "./dom/accessibility.js";
export type { AxTree, AxNode, ElementInfo } from "./dom/accessibility.js";
export { FastDriver } from "./drivers/fast.js";
export { ChromiumBrowser, BrowserDriver, chromiumPath, chromiumAvailable, CHROMIUM_ARGS } from "./drivers/browser.js";
export { observe, observationText, WebDriverError } from "./drivers/driver.js";
export type { WebDriver, WebObservation, StepResult, DriverOptions, DriverFailure } from "./drivers/driver.js";

export { webTasks, evaluateTask, resolveStep, normalizeAnswer, webShopReward } from "./tasks/index.js";
export type { WebTask, WebTaskSet, Check, PlanStep, Evaluation, EpisodeOutcome } from "./tasks/index.js";
export { WebRun, PlanAgent } from "./episode.js";
export type { WebAgent, AgentView, EpisodeRecord, StepRecord, ExecutedAction, DriverKind, WebRunOptions, EpisodeOptions } from "./episode.js";

export { loadWebPolicy, loadWebPolicyFile, permissivePolicy, variantOf } from "./policy/spec.js";
export type { WebPolicy, WebVariant, WebTest } from "./policy/spec.js";
export { PolicyMonitor } from "./policy/monitor.js";
export { ActionLanguageBuilder } from "./policy/language.js";
export type { StepLanguage } from "./policy/language.js";
export { WebActionDecoder, StepMaskIndex, ACTION_TAG } from "./policy/step-decoder.js";
export { ConstrainedWebAgent, webPrompt } from "./policy/agent.js";
export { FIELDS, GOTO_URL_REGEX, actionFacts, gotoOrigin } from "./policy/events.js";

export { WEB_ATTACKS } from "./injection/attacks.js";
export { SusceptibleWebScript } from "./injection/susceptible.js";
export { ruleViolations } from "./injection/rules.js";
export { runWebInjectionSuite, summarizeWebInjection, webPolicyPath, WEB_POLICY_FILES } from "./injection/suite.js";

export { WebEnvironment, WebSearchTask, WebDecoderPolicy } from "./environment.js";
export type { WebState, ReplayStats, WebEnvironmentOptions } from "./environment.js";
