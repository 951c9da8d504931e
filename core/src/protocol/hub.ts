/** The one HealthHub Durable Object instance that owns the fleet. */
export const HUB_NAME = "fleet";
