import { describe, expect, it } from "vitest"
import * as Csv from "../src/Csv.js"
import * as Table from "../src/Table.js"

describe("Table", () => {
  it("measures Vietnamese names by what a terminal shows, written composed or decomposed", () => {
    const nfc = "Huyện Sơn Dương"
    const nfd = nfc.normalize("NFD")
    expect(nfd.length).toBeGreaterThan(nfc.length)
    expect(Table.displayWidth(nfc)).toBe(15)
    expect(Table.displayWidth(nfd)).toBe(15)
    expect(Table.displayWidth("Thôn Khuổi Phường")).toBe(17)
    expect(Table.displayWidth("漢字")).toBe(4)
  })

  it("aligns columns whatever diacritics the rows carry", () => {
    const lines = Table.render(
      [
        { header: "Unit", align: "left" },
        { header: "N", align: "right" }
      ],
      [
        ["Xã Hợp Thành".normalize("NFD"), "7"],
        ["Thôn Nà Khán", "12"],
        ["Ab", "3"]
      ]
    )
    const ends = lines.map((l) => Table.displayWidth(l))
    expect(new Set(ends).size).toBe(1)
    expect(lines[2]).toBe("Xã Hợp Thành   7")
    expect(lines[2]!.normalize("NFC")).toBe(lines[2])
  })

  it("writes rates as percentages and no rate as -", () => {
    expect(Table.percent(0.8756)).toBe("87.6%")
    expect(Table.percent(1)).toBe("100.0%")
    expect(Table.percent(null)).toBe("-")
  })
})

describe("Csv", () => {
  it("quotes fields with a comma, a quote, CR or LF, and ends records with CRLF", () => {
    expect(Csv.record(["a", "b,c", 'say "hi"', "x\ny", "r\rs", 1.5, null])).toBe(
      'a,"b,c","say ""hi""","x\ny","r\rs",1.5,\r\n'
    )
    expect(Csv.document(["h1", "h2"], [["1", "2"]])).toBe("h1,h2\r\n1,2\r\n")
  })
})
