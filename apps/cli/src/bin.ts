#!/usr/bin/env node
/** The `kehoach` executable. */
import { main } from "./Main.js"

main()
