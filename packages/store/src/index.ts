export * as EventStore from "./EventStore.js"
