/**
 * `GET /v1/models`: the aliases (`auto`, `local`, `cloud`) and every configured model.
 */
import { Hono } from "hono";
import { modelNotFound } from "../src/errors.js";
import type { AppEnv } from "../src/http/app-env.js";
import { ALIASES, type ModelRegistry } from "../src/models/registry.js";

export function modelsRoutes(deps: { registry: ModelRegistry; startedAt: number }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const created = Math.floor(deps.startedAt / 1000);
  const list = {
    object: "list",
    data: [
      ...ALIASES.map((id) => ({ id, object: "model", created, owned_by: "switchyard" })),
      ...[...deps.registry.models.values()].map((m) => ({ id: m.id, object: "model", created, owned_by: m.providerId })),
    ],
  };
  const body = JSON.stringify(list);
  app.get("/v1/models", (c) => c.body(body, 200, { "content-type": "application/json" }));
  app.get("/v1/models/:id{.+}", (c) => {
    const model = list.data.find((m) => m.id === c.req.param("id"));
    if (!model) throw modelNotFound(c.req.param("id"));
    return c.json(model);
  });
  return app;
}
