/**
 * Express typing notes. Nothing is merged into `Express.Request`: the auth object is not a
 * request property (a `req.auth` set by another library is never trusted), it is
 * read with `getStytchAuth(req)`, which accepts an Express, Connect or plain Node request.
 * This module exists so that the decision is documented in one place; it adds no types.
 */
export {};
