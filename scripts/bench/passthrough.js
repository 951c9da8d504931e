// The floor for benchmarks: a Worker that forwards each request to one upstream and
// streams the answer back, doing nothing else.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.UPSTREAM + url.pathname + url.search, request);
  },
};
