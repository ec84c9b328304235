"""The one Thai/English string catalogue: every string a user sees, Thai first.

Plain data (no Flask), so the application layer (app/application/) can name its
messages by key too. The web's helpers are in app/i18n.py; the browser reads the
same table from each page's `#server-strings` JSON block (static/js/i18n.js). The
layer status labels come from gis.catalog.
"""

from __future__ import annotations

from gis.catalog import STATUS_LABELS

LANGUAGES = ("th", "en")
DEFAULT_LANGUAGE = "th"

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {"th": "ระบบวางแผนที่อยู่อาศัยชุมชน", "en": "Community housing planner"},
    "app_subtitle": {
        "th": "พอช. · บ้านมั่นคงและที่อยู่อาศัยชุมชนทั่วประเทศ",
        "en": "CODI · Baan Mankong and community housing, all of Thailand",
    },
    "map": {"th": "แผนที่", "en": "Map"},
    "language": {"th": "ภาษา", "en": "Language"},
    # -- case tracker pages (app/cases_views.py, templates page.html, cases/, dashboard) --
    "logged_out": {"th": "ออกจากระบบแล้ว", "en": "You have logged out."},
    "nav.label": {"th": "เมนูหลัก", "en": "Main menu"},
    "nav.skip": {"th": "ข้ามไปยังเนื้อหา", "en": "Skip to content"},
    "nav.cases": {"th": "รายการกรณี", "en": "Cases"},
    "nav.dashboard": {"th": "ภาพรวมความคืบหน้า", "en": "Dashboard"},
    "nav.new_case": {"th": "เปิดกรณีใหม่", "en": "New case"},
    "nav.login": {"th": "เข้าสู่ระบบ", "en": "Log in"},
    "nav.logout": {"th": "ออกจากระบบ", "en": "Log out"},
    "nav.imports": {"th": "นำเข้าข้อมูล", "en": "Import data"},
    # The import report's status and mode (gis.importing), shown on /imports.
    "imports.status.written": {"th": "บันทึกแล้ว", "en": "Written"},
    "imports.status.validated": {"th": "ตรวจแล้ว ยังไม่บันทึก", "en": "Checked, not written"},
    "imports.status.refused": {"th": "ไม่นำเข้า", "en": "Refused"},
    "imports.status.pending": {"th": "กำลังนำเข้า", "en": "In progress"},
    "imports.mode.replace": {"th": "แทนที่ทั้งชั้น", "en": "Replace the whole layer"},
    "imports.mode.append": {"th": "เพิ่มต่อท้าย", "en": "Add to the layer"},
    "imports.format.gpkg": {"th": "GeoPackage", "en": "GeoPackage"},
    "imports.format.shp": {"th": "Shapefile", "en": "Shapefile"},
    "imports.format.geojson": {"th": "GeoJSON", "en": "GeoJSON"},
    "imports.format.kml": {"th": "KML (Google Earth)", "en": "KML (Google Earth)"},
    "imports.format.kmz": {"th": "KMZ (Google Earth)", "en": "KMZ (Google Earth)"},
    "imports.format.csv": {"th": "ตาราง CSV", "en": "CSV table"},
    "imports.format.xlsx": {"th": "ตาราง Excel", "en": "Excel workbook"},
    "imports.format.zip": {"th": "ไฟล์ ZIP", "en": "ZIP archive"},
    "imports.format.unknown": {"th": "ไม่ทราบรูปแบบ", "en": "format not recognised"},
    "login.title": {"th": "เข้าสู่ระบบ", "en": "Log in"},
    "login.lead": {
        "th": "สำหรับเจ้าหน้าที่ ผู้แทนชุมชน และเจ้าหน้าที่เขต/เทศบาล",
        "en": "For housing officers, community representatives and municipality staff",
    },
    "login.username": {"th": "ชื่อผู้ใช้", "en": "User name"},
    "login.password": {"th": "รหัสผ่าน", "en": "Password"},
    "login.submit": {"th": "เข้าสู่ระบบ", "en": "Log in"},
    "error.title": {"th": "ทำรายการไม่สำเร็จ", "en": "That did not work"},
    "error.forbidden": {"th": "ไม่มีสิทธิ์เข้าถึง", "en": "Not allowed"},
    "error.not_found": {"th": "ไม่พบข้อมูล", "en": "Not found"},
    "error.stale": {"th": "มีผู้อื่นแก้ไขข้อมูลนี้แล้ว", "en": "Someone else changed this"},
    "error.code": {"th": "รหัสข้อผิดพลาด", "en": "Error code"},
    "error.back_to_cases": {"th": "กลับไปที่รายการกรณี", "en": "Back to the cases"},
    "cases.list_title": {"th": "รายการกรณี", "en": "Cases"},
    "cases.filters": {"th": "ตัวกรอง", "en": "Filters"},
    "cases.search": {"th": "ค้นหา", "en": "Search"},
    "cases.search_hint": {"th": "รหัสกรณี ชื่อชุมชน หรือชื่อกรณี", "en": "Case ref, community or title"},
    "cases.programme": {"th": "โครงการ", "en": "Programme"},
    "cases.district": {"th": "อำเภอ/เขต", "en": "District"},
    "cases.province": {"th": "จังหวัด", "en": "Province"},
    "cases.district_pick_province": {
        "th": "เลือกจังหวัดก่อน แล้วกดใช้ตัวกรอง",
        "en": "Choose a province first, then apply",
    },
    "cases.stage": {"th": "ขั้นตอน", "en": "Stage"},
    "cases.all": {"th": "ทั้งหมด", "en": "All"},
    "cases.stalled_only": {"th": "เฉพาะกรณีที่ล่าช้า", "en": "Stalled only"},
    "cases.apply": {"th": "แสดงผล", "en": "Apply"},
    "cases.clear": {"th": "ล้างตัวกรอง", "en": "Clear"},
    "cases.found": {"th": "พบ {n} กรณี", "en": "{n} cases"},
    "cases.page_of": {"th": "หน้า {page} จาก {pages}", "en": "page {page} of {pages}"},
    "cases.pages": {"th": "หน้า", "en": "Pages"},
    "cases.prev": {"th": "ก่อนหน้า", "en": "Previous"},
    "cases.next": {"th": "ถัดไป", "en": "Next"},
    "cases.none_found": {"th": "ไม่พบกรณีที่ตรงกับตัวกรอง", "en": "No case matches these filters."},
    "cases.ref": {"th": "รหัสกรณี", "en": "Ref"},
    "cases.community": {"th": "ชุมชน", "en": "Community"},
    "cases.days_in_stage": {"th": "จำนวนวันในขั้นตอน", "en": "Days in stage"},
    "cases.days": {"th": "{n} วัน", "en": "{n} days"},
    "cases.stall_limit": {"th": "เกณฑ์ล่าช้า {n} วัน", "en": "stalled after {n} days"},
    "cases.status": {"th": "สถานะ", "en": "Status"},
    "cases.stalled": {"th": "ล่าช้า", "en": "Stalled"},
    "cases.on_hold": {"th": "หยุดชะงัก", "en": "On hold"},
    "cases.households_agreed_total": {
        "th": "ครัวเรือนยินยอม / ทั้งหมด",
        "en": "Households agreed / total",
    },
    "cases.breadcrumb": {"th": "ตำแหน่งของหน้านี้", "en": "You are here"},
    "cases.case_type": {"th": "ประเภทกรณี", "en": "Case type"},
    "cases.variant": {"th": "ประเภทย่อย", "en": "Variant"},
    "cases.in_stage_since": {"th": "อยู่ในขั้นตอนนี้ตั้งแต่", "en": "In this stage since"},
    "cases.cooperative_name": {"th": "ชื่อสหกรณ์", "en": "Cooperative name"},
    "cases.note": {"th": "หมายเหตุ", "en": "Note"},
    "cases.map_title": {"th": "แผนที่พื้นที่โครงการ", "en": "Site map"},
    "cases.legend": {"th": "คำอธิบายสัญลักษณ์", "en": "Legend"},
    "cases.legend_site": {"th": "ขอบเขตพื้นที่", "en": "Site boundary"},
    "cases.legend_plot": {"th": "แปลงที่ดิน", "en": "Plots"},
    "cases.legend_canal": {"th": "คลองและแนวถอยร่น", "en": "Canal and setback"},
    "cases.map_tools": {"th": "เครื่องมือวาดแผนที่", "en": "Drawing tools"},
    "cases.map_tools_hint": {
        "th": "วาดหรือแก้ไขบนแผนที่ (จุดจะดูดติดกับเส้นที่มีอยู่) แล้วกด “บันทึกแผนที่”",
        "en": "Draw or edit on the map (points snap to existing lines), then press “Save map”.",
    },
    "cases.tool_site": {"th": "วาด/แก้ขอบเขตพื้นที่", "en": "Draw or edit the site"},
    "cases.tool_edit": {"th": "แก้ไขรูปที่วาดไว้", "en": "Edit shapes"},
    "cases.tool_plot": {"th": "วาดแปลงใหม่", "en": "Draw a plot"},
    "cases.tool_place": {"th": "ปักตำแหน่งบ้าน", "en": "Place on the map"},
    "cases.tool_clear": {"th": "ลบแล้ววาดใหม่", "en": "Clear and redraw"},
    "cases.household_to_place": {"th": "ครัวเรือน", "en": "Household"},
    "cases.plot_no": {"th": "เลขแปลง", "en": "Plot no."},
    "cases.plot_kind": {"th": "ประเภท", "en": "Kind"},
    "cases.plot_kind_plot": {"th": "แปลงบ้าน", "en": "House plot"},
    "cases.plot_kind_lane": {"th": "ทางเดิน/ถนน", "en": "Lane"},
    "cases.plot_kind_common": {"th": "พื้นที่ส่วนกลาง", "en": "Common area"},
    "cases.map_save": {"th": "บันทึกแผนที่", "en": "Save map"},
    "cases.map_discard": {"th": "ยกเลิกการแก้ไข", "en": "Discard changes"},
    "cases.stage_title": {"th": "ขั้นตอนของกรณี", "en": "Stage"},
    "cases.move_title": {"th": "ย้ายไปขั้นตอนถัดไป", "en": "Move to another stage"},
    "cases.move_to": {"th": "ย้ายไปขั้นตอน", "en": "Move to"},
    "cases.still_needed": {
        "th": "ก่อนเข้าขั้นตอน “{stage}” ยังต้องมี:",
        "en": "Before “{stage}” the case still needs:",
    },
    "cases.ready_to_move": {"th": "พร้อมเข้าขั้นตอน “{stage}”", "en": "Ready for “{stage}”"},
    "cases.move_on": {"th": "วันที่", "en": "Date"},
    "cases.move_documents": {"th": "แนบเอกสาร (ถ้ามี)", "en": "Attach documents (if any)"},
    "cases.move_submit": {"th": "ย้ายขั้นตอน", "en": "Move the case"},
    "cases.no_moves": {"th": "กรณีนี้อยู่ในขั้นตอนสุดท้ายแล้ว", "en": "This case is at its last stage."},
    "cases.rep_cannot_move": {
        "th": "ผู้แทนชุมชนแก้ไขข้อมูลได้ แต่การย้ายขั้นตอนและงบประมาณทำโดยเจ้าหน้าที่",
        "en": "Community representatives can edit; officers move stages and set budgets.",
    },
    "cases.hold_title": {"th": "การหยุดชะงัก", "en": "Hold"},
    "cases.hold_reason": {"th": "เหตุที่หยุดชะงัก", "en": "Hold reason"},
    "cases.choose": {"th": "— เลือก —", "en": "— choose —"},
    "cases.put_on_hold": {"th": "บันทึกว่าหยุดชะงัก", "en": "Put on hold"},
    "cases.release": {"th": "ดำเนินการต่อ (ยกเลิกการหยุดชะงัก)", "en": "Release the hold"},
    "cases.stale": {
        "th": "มีผู้อื่นแก้ไขข้อมูลนี้ไปแล้วหลังจากที่คุณเปิดหน้านี้ ยังไม่ได้บันทึกสิ่งที่คุณแก้ กรุณาโหลดหน้าใหม่แล้วทำอีกครั้ง",
        "en": "Someone else changed this after you opened the page. Your change was not saved: reload the page and try again.",
    },
    "cases.reload": {"th": "โหลดหน้าใหม่", "en": "Reload"},
    "cases.timeline": {"th": "ลำดับเหตุการณ์", "en": "Timeline"},
    "cases.event_hold": {"th": "หยุดชะงัก", "en": "Put on hold"},
    "cases.event_release": {"th": "ดำเนินการต่อ", "en": "Hold released"},
    "cases.event_opened": {"th": "เปิดกรณี", "en": "Case opened"},
    "cases.by": {"th": "โดย", "en": "by"},
    "cases.budget": {"th": "งบประมาณ (บาท)", "en": "Budget (baht)"},
    "cases.budget_kind": {"th": "รายการ", "en": "Budget line"},
    "cases.planned": {"th": "ตั้งไว้", "en": "Planned"},
    "cases.approved": {"th": "อนุมัติ", "en": "Approved"},
    "cases.disbursed": {"th": "เบิกจ่ายแล้ว", "en": "Disbursed"},
    "cases.baht": {"th": "บาท", "en": "baht"},
    "cases.baht_note": {"th": "จำนวนเงินเป็นบาท", "en": "Amounts in Thai baht."},
    "cases.total": {"th": "รวม", "en": "Total"},
    "cases.save": {"th": "บันทึก", "en": "Save"},
    "cases.no_budget": {"th": "ยังไม่มีงบประมาณ", "en": "No budget yet."},
    "cases.documents": {"th": "เอกสาร", "en": "Documents"},
    "cases.document_kind": {"th": "ประเภทเอกสาร", "en": "Document kind"},
    "cases.file": {"th": "ไฟล์", "en": "File"},
    "cases.size": {"th": "ขนาด", "en": "Size"},
    "cases.uploaded_by": {"th": "ผู้อัปโหลด", "en": "Uploaded by"},
    "cases.uploaded_on": {"th": "วันที่อัปโหลด", "en": "Uploaded on"},
    "cases.no_documents": {"th": "ยังไม่มีเอกสาร", "en": "No documents yet."},
    "cases.upload_title": {"th": "อัปโหลดเอกสาร", "en": "Upload a document"},
    "cases.upload": {"th": "อัปโหลด", "en": "Upload"},
    "cases.households": {"th": "ครัวเรือน", "en": "Households"},
    "cases.households_total": {"th": "ครัวเรือนทั้งหมด", "en": "Households"},
    "cases.households_shown": {
        "th": "ครัวเรือนที่ {first}–{last} จาก {total}",
        "en": "Households {first}–{last} of {total}",
    },
    "cases.households_agreed": {"th": "ยินยอมย้าย", "en": "Agreed to move"},
    "cases.households_counts_only": {
        "th": "ผู้ดูข้อมูลของเขต/เทศบาลเห็นเฉพาะจำนวนครัวเรือน ไม่เห็นข้อมูลรายครัวเรือน",
        "en": "Municipality viewers see household counts only, not households.",
    },
    "cases.household_no": {"th": "ลำดับ", "en": "No."},
    "cases.head_name": {"th": "หัวหน้าครัวเรือน", "en": "Head of household"},
    "cases.members": {"th": "สมาชิก (คน)", "en": "Members"},
    "cases.monthly_income": {"th": "รายได้ต่อเดือน", "en": "Monthly income"},
    "cases.tenure": {"th": "สถานะการครอบครอง", "en": "Tenure"},
    "cases.agreed": {"th": "ยินยอมย้าย", "en": "Agreed to move"},
    "cases.house_status": {"th": "สถานะบ้าน", "en": "House status"},
    "cases.location": {"th": "ตำแหน่ง", "en": "Located"},
    "cases.phone": {"th": "โทรศัพท์", "en": "Phone"},
    "cases.edit": {"th": "แก้ไข", "en": "Edit"},
    "cases.yes": {"th": "ใช่", "en": "Yes"},
    "cases.no": {"th": "ไม่", "en": "No"},
    "cases.add": {"th": "เพิ่ม", "en": "Add"},
    "cases.cancel": {"th": "ยกเลิก", "en": "Cancel"},
    "cases.add_household": {"th": "เพิ่มครัวเรือน", "en": "Add a household"},
    "cases.household_title": {"th": "ครัวเรือนลำดับที่ {no}", "en": "Household {no}"},
    # -- the household page's register (the field labels are cases/register.py's) --
    "household.programme": {"th": "โครงการและบ้าน", "en": "Programme and house"},
    "household.choose": {"th": "— เลือก —", "en": "— choose —"},
    "household.unknown": {"th": "ไม่ระบุ", "en": "Not stated"},
    "household.surveyed_on": {"th": "สำรวจเมื่อ", "en": "Surveyed on"},
    "household.national_id_on_record": {"th": "เลขที่บันทึกไว้", "en": "On record"},
    "household.national_id_none": {"th": "ยังไม่มีเลขที่บันทึกไว้", "en": "No number on record"},
    "household.national_id_reveal": {"th": "แสดงเลขเต็ม", "en": "Show the full number"},
    "household.national_id_revealed": {
        "th": "แสดงเลขเต็มตามที่ขอ และบันทึกไว้ในประวัติการแก้ไขแล้ว",
        "en": "Shown at your request; this was recorded in the audit log.",
    },
    "household.national_id_new": {
        "th": "พิมพ์เลขใหม่เพื่อเปลี่ยน หรือเว้นว่างไว้เพื่อใช้เลขเดิม",
        "en": "Type a new number to change it, or leave blank to keep the one on record",
    },
    "household.pdpa_s26": {
        "th": "ข้อมูลสุขภาพและความพิการเป็นข้อมูลอ่อนไหว บันทึกได้เฉพาะเมื่อครัวเรือนให้ความยินยอม"
        "โดยชัดแจ้ง (พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 มาตรา 26) บันทึกความยินยอมในส่วน"
        "ความยินยอมก่อน แล้วส่วนนี้จึงจะกรอกได้",
        "en": "Health and disability are sensitive data: they may be recorded only with the "
        "household's explicit consent (Personal Data Protection Act 2019, section 26). Record "
        "that consent in the Consent section first; this section then opens.",
    },
    "household.members_list": {"th": "รายชื่อสมาชิกในครัวเรือน", "en": "Household members"},
    "household.members_count_note": {
        "th": "เมื่อมีรายชื่อสมาชิก จำนวนสมาชิกจะนับจากรายชื่อ",
        "en": "When members are listed, the count follows the list.",
    },
    "household.remove": {"th": "ลบ", "en": "Remove"},
    "household.add_member": {"th": "เพิ่มแถวสมาชิก", "en": "Add a member row"},
    "household.photos": {"th": "รูปถ่ายของครัวเรือน", "en": "The household's photos"},
    "household.no_photos": {"th": "ยังไม่มีรูปถ่าย", "en": "No photos yet."},
    "household.gps": {"th": "พิกัด (ละติจูด, ลองจิจูด)", "en": "Coordinates (latitude, longitude)"},
    "household.no_location": {
        "th": "ยังไม่มีตำแหน่ง (วางตำแหน่งบนแผนที่ของกรณี)",
        "en": "Not located yet (place it on the case's map)",
    },
    "cases.edit_details": {"th": "แก้ไขรายละเอียดกรณี", "en": "Edit the case details"},
    "cases.title_th": {"th": "ชื่อกรณี (ภาษาไทย)", "en": "Title (Thai)"},
    "cases.title_en": {"th": "ชื่อกรณี (ภาษาอังกฤษ)", "en": "Title (English)"},
    "cases.new_site": {"th": "ขอบเขตพื้นที่โครงการ", "en": "Site boundary"},
    "cases.new_site_hint": {
        "th": "กด “วาด/แก้ขอบเขตพื้นที่” แล้วคลิกที่มุมของพื้นที่ทีละจุด คลิกจุดแรกอีกครั้งเพื่อปิดรูป",
        "en": "Press “Draw or edit the site”, click each corner of the site, and click the first corner again to close it.",
    },
    "cases.create": {"th": "เปิดกรณี", "en": "Open the case"},
    "cases.flash.moved": {"th": "ย้ายขั้นตอนแล้ว", "en": "The case was moved."},
    "cases.flash.held": {"th": "บันทึกการหยุดชะงักแล้ว", "en": "The case is on hold."},
    "cases.flash.released": {"th": "ยกเลิกการหยุดชะงักแล้ว", "en": "The hold was released."},
    "cases.flash.saved": {"th": "บันทึกแล้ว", "en": "Saved."},
    "cases.flash.uploaded": {"th": "อัปโหลดเอกสารแล้ว", "en": "The document was uploaded."},
    "cases.flash.added": {"th": "เพิ่มครัวเรือนแล้ว", "en": "The household was added."},
    "cases.flash.created": {"th": "เปิดกรณีใหม่แล้ว", "en": "The case was opened."},
    "dash.title": {"th": "ภาพรวมความคืบหน้า", "en": "Progress dashboard"},
    "dash.progress": {"th": "ความคืบหน้ารายเขต (จำนวนบ้าน)", "en": "Progress by district (houses)"},
    "dash.progress_hint": {
        "th": "ร้อยละในวงเล็บคิดจากครัวเรือนทั้งหมดของทุกเขตรวมกัน ตามแบบรายงานของรัฐ "
        "คอลัมน์สุดท้ายคือความคืบหน้าของแต่ละเขตเอง: บ้านที่สร้างเสร็จจากครัวเรือนที่ยินยอมย้ายในเขตนั้น "
        "“สร้างเสร็จ” รวมบ้านที่เข้าอยู่แล้ว",
        "en": "Percentages in brackets are of all households in every district together, as the "
        "government reports them. The last column is each district's own progress: houses "
        "finished out of the households that agreed to move in that district. “Finished” "
        "includes houses already moved into.",
    },
    "dash.own_progress": {
        "th": "ความคืบหน้าของเขตเอง (สร้างเสร็จ จากที่ยินยอมย้าย)",
        "en": "The district's own progress (finished of agreed)",
    },
    "dash.own_progress_value": {
        "th": "{finished} จาก {agreed} ที่ยินยอม = {pct} %",
        "en": "{finished} of {agreed} agreed = {pct} %",
    },
    "dash.own_progress_none": {"th": "ยังไม่มีผู้ยินยอมย้าย", "en": "no one agreed yet"},
    "dash.households": {"th": "ครัวเรือนทั้งหมด", "en": "Households"},
    "dash.agreed": {"th": "ยินยอมย้าย", "en": "Agreed to move"},
    "dash.finished": {"th": "สร้างเสร็จ", "en": "Finished"},
    "dash.under_construction": {"th": "กำลังก่อสร้าง", "en": "Under construction"},
    "dash.ready_to_build": {"th": "พร้อมก่อสร้าง", "en": "Ready to build"},
    "dash.not_started": {"th": "ยังไม่เริ่ม", "en": "Not started"},
    "dash.no_households": {"th": "ไม่มีข้อมูลครัวเรือน", "en": "No households."},
    "dash.moved_in_note": {
        "th": "ในจำนวนบ้านที่สร้างเสร็จ เข้าอยู่แล้ว {n} หลัง",
        "en": "Of the houses finished, {n} families have moved in.",
    },
    "dash.chart": {"th": "บ้านที่สร้างเสร็จตามช่วงเวลา", "en": "Houses finished over time"},
    "dash.chart_desc": {
        "th": "บ้านสร้างเสร็จรายเดือน (แท่ง) และยอดสะสม (เส้น) รวม {total} หลัง ตั้งแต่ {first} ถึง {last}",
        "en": "Houses finished per month (bars) and in total (line): {total} from {first} to {last}",
    },
    "dash.cumulative": {"th": "สะสม", "en": "total"},
    "dash.cumulative_axis": {"th": "ยอดสะสม (แกนซ้าย)", "en": "Total so far (left axis)"},
    "dash.monthly_axis": {
        "th": "สร้างเสร็จในเดือน (แกนขวา)",
        "en": "Finished in the month (right axis)",
    },
    "dash.chart_total": {"th": "รวม {n} หลัง", "en": "{n} houses in all"},
    "dash.chart_table": {"th": "ดูเป็นตาราง", "en": "Show as a table"},
    "dash.month": {"th": "เดือน", "en": "Month"},
    "dash.no_finished": {"th": "ยังไม่มีบ้านที่สร้างเสร็จ", "en": "No house finished yet."},
    "dash.stalled": {"th": "กรณีที่ล่าช้า ({n})", "en": "Stalled cases ({n})"},
    "dash.stalled_hint": {
        "th": "กรณีที่อยู่ในขั้นตอนเดิมนานเกินเกณฑ์ของขั้นตอนนั้น เรียงจากล่าช้ามากที่สุด",
        "en": "Cases in their stage for longer than the stage allows, the most overdue first.",
    },
    "dash.areas": {
        "th": "ความคืบหน้ารายจังหวัดและอำเภอ/เขต (รหัสกรมการปกครอง)",
        "en": "Progress by province and district (DOPA codes)",
    },
    "dash.areas_hint": {
        "th": "ทุกโครงการในทุกพื้นที่ ร้อยละคิดจากครัวเรือนของพื้นที่นั้น",
        "en": "Every project anywhere; shares are of the area's own households.",
    },
    "dash.area_code": {"th": "รหัส", "en": "Code"},
    "dash.area": {"th": "จังหวัด / อำเภอ/เขต", "en": "Province / district"},
    "dash.communities": {"th": "ชุมชน", "en": "Communities"},
    "dash.no_cases_yet": {"th": "ยังไม่มีกรณี", "en": "No cases yet."},
    "dash.no_reason": {"th": "ไม่ได้ระบุเหตุ", "en": "no reason given"},
    "dash.all_stalled": {
        "th": "แสดง {shown} กรณีที่ล่าช้ามากที่สุด ดูทั้งหมด {n} กรณีในรายการกรณี",
        "en": "The {shown} most overdue are shown; see all {n} in the case list",
    },
    "dash.pick_province": {
        "th": "ข้อมูลมีเขต/อำเภอมากเกินกว่าจะแสดงในหน้าเดียว: "
        "เลือกจังหวัดในตารางรายพื้นที่ด้านล่างเพื่อดูรายเขต/อำเภอ แถวรวมคือทุกจังหวัด",
        "en": "The data spans more districts than one page holds: choose a province in the "
        "table by area below to see its districts. The total row is every province.",
    },
    "dash.all_provinces": {"th": "← ทุกจังหวัด", "en": "← All provinces"},
    "dash.none_stalled": {"th": "ไม่มีกรณีที่ล่าช้า", "en": "No stalled cases."},
    "mapjs.loading": {"th": "กำลังโหลดแผนที่…", "en": "Loading the map…"},
    "mapjs.load_failed": {
        "th": "โหลดแผนที่ไม่สำเร็จ: {error}",
        "en": "Could not load the map: {error}",
    },
    "mapjs.no_site": {"th": "ยังไม่มีขอบเขตพื้นที่", "en": "No site boundary yet"},
    "mapjs.area": {"th": "พื้นที่", "en": "Area"},
    "mapjs.perimeter": {"th": "เส้นรอบรูป", "en": "Perimeter"},
    "mapjs.length": {"th": "ความยาว", "en": "Length"},
    "mapjs.m2": {"th": "ตร.ม.", "en": "m²"},
    "mapjs.sqwa": {"th": "ตร.ว.", "en": "sq. wa"},
    "mapjs.m": {"th": "ม.", "en": "m"},
    "mapjs.site": {"th": "ขอบเขตพื้นที่", "en": "Site boundary"},
    "mapjs.plot": {"th": "แปลง {no}", "en": "Plot {no}"},
    "mapjs.household": {"th": "ครัวเรือน {no}", "en": "Household {no}"},
    "mapjs.pending": {"th": "ยังไม่ได้บันทึก {n} รายการ", "en": "{n} unsaved changes"},
    "mapjs.pending_one": {"th": "ยังไม่ได้บันทึก 1 รายการ", "en": "1 unsaved change"},
    "mapjs.saving": {"th": "กำลังบันทึก…", "en": "Saving…"},
    "mapjs.saved": {"th": "บันทึกแผนที่แล้ว", "en": "Map saved."},
    "mapjs.save_failed": {"th": "บันทึกไม่สำเร็จ:", "en": "Not saved:"},
    "mapjs.need_plot_no": {"th": "กรุณาใส่เลขแปลงก่อนวาด", "en": "Enter a plot number first."},
    "mapjs.choose_household": {"th": "— เลือกครัวเรือน —", "en": "— choose a household —"},
    "mapjs.unplaced": {"th": "ยังไม่มีตำแหน่ง", "en": "not placed yet"},
    "mapjs.need_household": {"th": "กรุณาเลือกครัวเรือนก่อน", "en": "Choose a household first."},
    "mapjs.delete_plot": {"th": "ลบแปลงนี้", "en": "Delete this plot"},
    "mapjs.confirm_delete": {"th": "ลบแปลง {no} ใช่หรือไม่", "en": "Delete plot {no}?"},
    "mapjs.deleted": {"th": "ลบแปลงแล้ว", "en": "Plot deleted."},
    "mapjs.problem_here": {"th": "ปัญหาอยู่ตรงนี้", "en": "The problem is here"},
    "mapjs.expired": {
        "th": "หมดเวลาการเข้าสู่ระบบหรือแบบฟอร์มหมดอายุ กรุณาโหลดหน้าใหม่",
        "en": "Your session or the page expired; reload the page.",
    },
    "mapjs.stale": {
        "th": "มีผู้อื่นแก้ไขรูปนี้ไปแล้ว กรุณากด “ยกเลิกการแก้ไข” เพื่อโหลดใหม่แล้วแก้อีกครั้ง",
        "en": "Someone else changed this shape; press “Discard changes” to reload, then edit again.",
    },
    "mapjs.drawing_site": {
        "th": "คลิกที่มุมของพื้นที่ทีละจุด คลิกจุดแรกเพื่อปิดรูป",
        "en": "Click each corner of the site; click the first corner to finish.",
    },
    "mapjs.drawing_plot": {
        "th": "คลิกที่มุมของแปลงทีละจุด (จุดจะดูดติดกับเส้นที่มีอยู่) คลิกจุดแรกเพื่อปิดรูป",
        "en": "Click each corner of the plot (points snap to existing lines); click the first corner to finish.",
    },
    "mapjs.placing": {"th": "คลิกบนแผนที่ที่ตั้งบ้านของ {who}", "en": "Click the map where {who} lives."},
    "mapjs.editing": {
        "th": "ลากจุดมุมหรือหมุดเพื่อแก้ไข แล้วกด “บันทึกแผนที่”",
        "en": "Drag corners or pins to change them, then press “Save map”.",
    },
    "mapjs.site_ready": {"th": "วาดขอบเขตพื้นที่แล้ว", "en": "Site boundary drawn."},
    "mapjs.gm_placeMarker": {"th": "คลิกเพื่อปักหมุด", "en": "Click to place the pin"},
    "mapjs.gm_firstVertex": {"th": "คลิกเพื่อวางจุดแรก", "en": "Click to place the first corner"},
    "mapjs.gm_continueLine": {"th": "คลิกเพื่อวางจุดถัดไป", "en": "Click to place the next corner"},
    "mapjs.gm_finishPoly": {"th": "คลิกจุดแรกเพื่อปิดรูป", "en": "Click the first corner to finish"},
    "mapjs.gm_finish": {"th": "เสร็จ", "en": "Finish"},
    "mapjs.gm_cancel": {"th": "ยกเลิก", "en": "Cancel"},
    "mapjs.gm_removeLastVertex": {"th": "ลบจุดล่าสุด", "en": "Remove last corner"},
    # -- PDPA -- (issue 14: consent ledger, read log, records of processing, breaches;
    # app/pdpa_views.py, app/application/pdpa.py, app/cli/pdpa.py, cases/_consent.html)
    "pdpa.consent_title": {
        "th": "ความยินยอมและการแจ้งวัตถุประสงค์ (พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล)",
        "en": "Consent and notice (PDPA)",
    },
    "pdpa.consent_lead": {
        "th": "ข้อมูลส่วนใหญ่ของโครงการประมวลผลตามภารกิจของรัฐ (มาตรา 24 (4)) "
        "ส่วนที่ต้องขอความยินยอมแสดงไว้ด้านล่าง การถอนความยินยอมทำได้ง่ายเท่ากับการให้",
        "en": "Most of the programme's data is processed as a public task (s24(4)); what "
        "needs consent is below. Withdrawing is as easy as giving.",
    },
    "pdpa.state": {"th": "สถานะปัจจุบัน", "en": "Now"},
    "pdpa.state_given": {"th": "ให้ความยินยอมแล้ว", "en": "Given"},
    "pdpa.state_withdrawn": {"th": "ไม่ให้หรือถอนแล้ว", "en": "Refused or withdrawn"},
    "pdpa.state_none": {"th": "ยังไม่ได้บันทึก", "en": "Not recorded"},
    "pdpa.ledger": {"th": "ทะเบียนความยินยอม", "en": "Consent ledger"},
    "pdpa.no_events": {"th": "ยังไม่มีการบันทึกความยินยอม", "en": "No consent recorded yet."},
    "pdpa.col.on": {"th": "วันที่", "en": "Date"},
    "pdpa.col.action": {"th": "รายการ", "en": "What"},
    "pdpa.col.scope": {"th": "ประเภท", "en": "Scope"},
    "pdpa.col.purposes": {"th": "วัตถุประสงค์", "en": "Purposes"},
    "pdpa.col.recorded_by": {"th": "ผู้บันทึก", "en": "Recorded by"},
    "pdpa.col.taken_by": {"th": "ผู้รับความยินยอม", "en": "Taken by"},
    "pdpa.col.document": {"th": "เอกสาร", "en": "Form"},
    "pdpa.col.note": {"th": "หมายเหตุ", "en": "Note"},
    "pdpa.source.page": {"th": "หน้าครัวเรือน", "en": "household page"},
    "pdpa.source.api": {"th": "API", "en": "API"},
    "pdpa.source.survey": {"th": "แบบสำรวจ", "en": "survey"},
    "pdpa.source.register": {"th": "แก้ไขทะเบียน", "en": "register edit"},
    "pdpa.source.cli": {"th": "บรรทัดคำสั่ง", "en": "command line"},
    "pdpa.record": {"th": "บันทึกความยินยอม", "en": "Record consent"},
    "pdpa.scope": {"th": "ประเภทความยินยอม", "en": "Scope of the consent"},
    "pdpa.on": {"th": "วันที่ให้ความยินยอม", "en": "Date given"},
    "pdpa.purposes": {"th": "วัตถุประสงค์ที่ยินยอม", "en": "Purposes agreed"},
    "pdpa.taken_by": {
        "th": "ผู้รับความยินยอม (เช่น อาสาสมัครสำรวจ)",
        "en": "Taken by (e.g. the survey volunteer)",
    },
    "pdpa.document": {"th": "หนังสือให้ความยินยอมที่ลงนามแล้ว", "en": "The signed consent form"},
    "pdpa.document_none": {"th": "— ไม่มี —", "en": "— none —"},
    "pdpa.upload_form": {"th": "หรืออัปโหลดหนังสือที่ลงนามแล้ว", "en": "or upload the signed form"},
    "pdpa.note": {"th": "หมายเหตุ", "en": "Note"},
    "pdpa.withdraw": {"th": "ถอนความยินยอม", "en": "Withdraw"},
    "pdpa.withdraw_title": {"th": "ยืนยันการถอนความยินยอม", "en": "Withdraw this consent?"},
    "pdpa.withdraw_clears": {
        "th": "ข้อมูลต่อไปนี้ของครัวเรือนจะถูกลบ เพราะไม่มีฐานทางกฎหมายให้ประมวลผลต่อ:",
        "en": "These fields of the household will be cleared, since they may no longer be "
        "processed:",
    },
    "pdpa.withdraw_clears_nothing": {
        "th": "ครัวเรือนนี้ไม่มีข้อมูลที่ต้องลบ",
        "en": "The household has nothing stored that must be cleared.",
    },
    "pdpa.withdraw_yes": {"th": "ยืนยัน ถอนความยินยอม", "en": "Yes, withdraw"},
    "pdpa.cancel": {"th": "ยกเลิก", "en": "Cancel"},
    "pdpa.flash_recorded": {"th": "บันทึกความยินยอมแล้ว", "en": "Consent recorded."},
    "pdpa.flash_withdrawn": {"th": "ถอนความยินยอมแล้ว", "en": "Consent withdrawn."},
    "pdpa.flash_cleared": {"th": "ลบข้อมูลแล้ว: {fields}", "en": "Cleared: {fields}"},
    "pdpa.reads_title": {
        "th": "บันทึกการเข้าดูข้อมูลส่วนบุคคลของครัวเรือนนี้",
        "en": "Reads of this household's personal data",
    },
    "pdpa.reads_lead": {
        "th": "ทุกครั้งที่ผู้ใช้เปิดดูข้อมูลส่วนบุคคลของครัวเรือนนี้ (มาตรา 39) รายการล่าสุดก่อน "
        "ผู้ดูข้อมูลของเขต/เทศบาลไม่เห็นข้อมูลส่วนบุคคล จึงไม่มีในบันทึกนี้",
        "en": "Every time a user was shown this household's personal data (s39), the latest "
        "first. Municipality viewers never see personal data, so never appear here.",
    },
    "pdpa.no_reads": {"th": "ยังไม่มีการเข้าดู", "en": "No reads yet."},
    "pdpa.col.when": {"th": "เวลา", "en": "When"},
    "pdpa.col.who": {"th": "ผู้ใช้", "en": "User"},
    "pdpa.col.role": {"th": "บทบาท", "en": "Role"},
    "pdpa.col.fields": {"th": "ข้อมูลที่เห็น", "en": "Fields shown"},
    "pdpa.col.via": {"th": "ผ่านทาง", "en": "Through"},
    "pdpa.time_suffix": {"th": " น.", "en": ""},
    "pdpa.security_measures": {
        "th": "ผู้ใช้ทุกคนมีบัญชีและบทบาทของตนเอง (เจ้าหน้าที่ ผู้แทนชุมชนเห็นเฉพาะชุมชนของตน "
        "ผู้ดูข้อมูลของเขต/เทศบาลเห็นเฉพาะจำนวน) ตรวจสิทธิ์ทุกเส้นทางก่อนแสดงผล "
        "เซสชันหมดอายุเมื่อไม่ใช้งาน 2 ชั่วโมง และจำกัดการเข้าสู่ระบบผิดซ้ำ "
        "บันทึกการแก้ไขทุกครั้ง (audit log) และบันทึกการเข้าดูข้อมูลส่วนบุคคลทุกครั้ง (read log) "
        "แสดงเลขประจำตัวประชาชนแบบปิดบังเหลือ 3 หลักท้าย การแสดงเลขเต็มบันทึกไว้ "
        "เก็บข้อมูลอ่อนไหวเฉพาะเมื่อได้รับความยินยอมโดยชัดแจ้ง และลบเมื่อถอนความยินยอม "
        "ไฟล์และฐานข้อมูลเปิดได้เฉพาะเจ้าของระบบ และสำรองข้อมูลตามรอบ",
        "en": "Every user has their own login and role (officers; community representatives "
        "see their own community only; municipality viewers see counts only), checked on "
        "every route before anything is shown. Sessions end after 2 hours idle; repeated "
        "failed logins are limited. Every change is in the audit log and every read of "
        "personal data in the read log. National ID numbers are shown masked to the last 3 "
        "digits; showing one in full is logged. Sensitive data is kept only with explicit "
        "consent and cleared when it is withdrawn. Files and the database are readable by "
        "the planner's owner only, and backed up on schedule.",
    },
    "pdpa.ropa.sheet": {"th": "บันทึกรายการ ม.39", "en": "Record s39"},
    "pdpa.ropa.title": {
        "th": "บันทึกรายการกิจกรรมการประมวลผลข้อมูลส่วนบุคคล (มาตรา 39 "
        "พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562)",
        "en": "Record of processing activities (PDPA B.E. 2562, s39)",
    },
    "pdpa.ropa.controller": {"th": "ผู้ควบคุมข้อมูลส่วนบุคคล", "en": "Data controller"},
    "pdpa.ropa.generated": {"th": "จัดทำเมื่อ", "en": "Generated on"},
    "pdpa.ropa.system": {
        "th": "ระบบวางแผนที่อยู่อาศัยชุมชน (โครงการบ้านมั่นคงและที่อยู่อาศัยชุมชน)",
        "en": "Community housing planner (Baan Mankong and community housing)",
    },
    "pdpa.ropa.col.no": {"th": "ลำดับ", "en": "No."},
    "pdpa.ropa.col.purpose": {"th": "วัตถุประสงค์ของการประมวลผล", "en": "Purpose of processing"},
    "pdpa.ropa.col.basis": {"th": "ฐานทางกฎหมาย", "en": "Lawful basis"},
    "pdpa.ropa.col.categories": {"th": "ประเภทข้อมูลส่วนบุคคล", "en": "Categories of personal data"},
    "pdpa.ropa.col.subjects": {"th": "เจ้าของข้อมูลส่วนบุคคล", "en": "Data subjects"},
    "pdpa.ropa.col.recipients": {"th": "ผู้มีสิทธิ์เข้าถึงและผู้รับข้อมูล", "en": "Who may access; recipients"},
    "pdpa.ropa.col.retention": {"th": "ระยะเวลาการเก็บรักษา", "en": "Retention"},
    "pdpa.ropa.col.security": {
        "th": "มาตรการรักษาความมั่นคงปลอดภัย",
        "en": "Security measures",
    },
    "pdpa.ropa.col.transfer": {
        "th": "การส่งหรือโอนข้อมูลไปต่างประเทศ",
        "en": "Transfer outside Thailand",
    },
    "pdpa.ropa.no_transfer": {
        "th": "ไม่มี (ระบบทำงานในเครื่องของหน่วยงาน ไม่ใช้บริการภายนอก)",
        "en": "None (the planner runs on the office's own machine, with no outside service)",
    },
    "pdpa.ropa.sensitive": {"th": "ข้อมูลอ่อนไหว", "en": "sensitive"},
    "pdpa.ropa.retention.personal": {
        "th": "{years} ปีนับจากปิดกรณี (ครัวเรือนย้ายเข้าอยู่และสัญญาสิ้นสุด)",
        "en": "{years} years after the case closes (moved in, contracts ended)",
    },
    "pdpa.ropa.retention.sensitive": {
        "th": "จนกว่าจะถอนความยินยอม และไม่เกิน {years} ปีนับจากปิดกรณี",
        "en": "Until consent is withdrawn, and at most {years} years after the case closes",
    },
    "pdpa.ropa.col.rejected": {
        "th": "คำขอของเจ้าของข้อมูลที่ถูกปฏิเสธ (จำนวน)",
        "en": "Data subjects' requests rejected (count)",
    },
    "pdpa.ropa.rejected_other": {
        "th": "คำขอที่ถูกปฏิเสธโดยไม่ระบุวัตถุประสงค์: {n} (รายละเอียด: planner pdpa request list)",
        "en": "Requests rejected naming no purpose: {n} (details: planner pdpa request list)",
    },
    "pdpa.breach.deadline": {"th": "กำหนดแจ้ง สคส.", "en": "PDPC deadline"},
    "pdpa.breach.overdue": {"th": "เกินกำหนด ยังไม่แจ้ง สคส.", "en": "OVERDUE, PDPC not told"},
    "pdpa.breach.open": {"th": "ยังไม่แจ้ง สคส. (ยังไม่เกินกำหนด)", "en": "PDPC not told yet (in time)"},
    "pdpa.breach.notified": {"th": "แจ้ง สคส. แล้ว", "en": "PDPC told"},
    "pdpa.breach.notified_late": {"th": "แจ้ง สคส. ล่าช้า", "en": "PDPC told late"},
    "pdpa.breach.subjects": {"th": "แจ้งเจ้าของข้อมูล", "en": "People told"},
    "pdpa.breach.detected": {"th": "ตรวจพบ", "en": "Detected"},
    "pdpa.breach.households": {"th": "ครัวเรือนที่ได้รับผลกระทบ", "en": "Households affected"},
    "pdpa.breach.none": {"th": "ไม่มีเหตุละเมิดที่บันทึกไว้", "en": "No breach recorded."},
    # -- PDPA subject access -- (issue 14 item 3, s30 and s31: `subject_access` in
    # app/application/pdpa.py, templates pdpa/subject_access_pdf.html and
    # cases/_pdpa_export.html, `planner pdpa export`)
    "pdpa.access.title": {
        "th": "ข้อมูลส่วนบุคคลของครัวเรือนที่ระบบเก็บไว้",
        "en": "Personal data held about the household",
    },
    "pdpa.access.law": {
        "th": "ตามคำขอของเจ้าของข้อมูล พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 มาตรา 30 และ 31",
        "en": "At the data subject's request: PDPA B.E. 2562, sections 30 and 31",
    },
    "pdpa.access.confidential": {
        "th": "ลับ: มีเลขประจำตัวประชาชนเต็ม ส่งให้ครัวเรือนเท่านั้น",
        "en": "Confidential: holds the full national ID number; for the household only",
    },
    "pdpa.access.controller": {"th": "ผู้ควบคุมข้อมูลส่วนบุคคล", "en": "Data controller"},
    "pdpa.access.exported_on": {"th": "วันที่ส่งออก", "en": "Exported on"},
    "pdpa.access.request": {"th": "วันที่รับคำขอ", "en": "Request received"},
    "pdpa.access.exported_by": {"th": "ผู้ส่งออก", "en": "Exported by"},
    "pdpa.access.household": {"th": "ครัวเรือนที่", "en": "Household no."},
    "pdpa.access.case": {"th": "กรณี", "en": "Case"},
    "pdpa.access.community": {"th": "ชุมชน", "en": "Community"},
    "pdpa.access.register": {"th": "ข้อมูลในทะเบียนครัวเรือน", "en": "The household register"},
    "pdpa.access.section.programme": {"th": "ข้อมูลโครงการ", "en": "Programme"},
    "pdpa.access.col.field": {"th": "ข้อมูล", "en": "Field"},
    "pdpa.access.col.value": {"th": "ค่าที่บันทึก", "en": "Value"},
    "pdpa.access.col.class": {"th": "ประเภทข้อมูล", "en": "Class"},
    "pdpa.access.col.purpose": {"th": "วัตถุประสงค์และฐานทางกฎหมาย", "en": "Purpose and lawful basis"},
    "pdpa.access.class.personal": {"th": "ข้อมูลส่วนบุคคล", "en": "Personal"},
    "pdpa.access.class.sensitive": {"th": "ข้อมูลอ่อนไหว", "en": "Sensitive"},
    "pdpa.access.not_personal": {"th": "ไม่ใช่ข้อมูลส่วนบุคคล", "en": "Not personal data"},
    "pdpa.access.members": {"th": "สมาชิกในครัวเรือน", "en": "Household members"},
    "pdpa.access.col.no": {"th": "ลำดับ", "en": "No."},
    "pdpa.access.col.name": {"th": "ชื่อ-นามสกุล", "en": "Name"},
    "pdpa.access.col.sex": {"th": "เพศ", "en": "Sex"},
    "pdpa.access.col.birth_year": {"th": "ปีเกิด (พ.ศ.)", "en": "Year of birth (B.E.)"},
    "pdpa.access.col.relation": {"th": "ความสัมพันธ์", "en": "Relation"},
    "pdpa.access.documents": {"th": "เอกสาร (รายการเท่านั้น)", "en": "Documents (listed only)"},
    "pdpa.access.col.kind": {"th": "ประเภทเอกสาร", "en": "Kind"},
    "pdpa.access.col.filename": {"th": "ชื่อไฟล์", "en": "File name"},
    "pdpa.access.col.uploaded": {"th": "วันที่แนบ", "en": "Uploaded"},
    "pdpa.access.col.size": {"th": "ขนาด", "en": "Size"},
    "pdpa.access.kb": {"th": "{n:,} กิโลไบต์", "en": "{n:,} KB"},
    "pdpa.access.consent": {"th": "ประวัติความยินยอม", "en": "Consent history"},
    "pdpa.access.col.on": {"th": "วันที่", "en": "Date"},
    "pdpa.access.col.action": {"th": "รายการ", "en": "What"},
    "pdpa.access.col.scope": {"th": "ประเภท", "en": "Scope"},
    "pdpa.access.col.purposes": {"th": "วัตถุประสงค์", "en": "Purposes"},
    "pdpa.access.col.recorded_by": {"th": "ผู้บันทึก / ผู้รับความยินยอม", "en": "Recorded by / taken by"},
    "pdpa.access.audit": {"th": "ประวัติการแก้ไขข้อมูล", "en": "Who changed the record"},
    "pdpa.access.col.when": {"th": "เวลา", "en": "When"},
    "pdpa.access.col.who": {"th": "ผู้ใช้", "en": "User"},
    "pdpa.access.col.what": {"th": "การกระทำ", "en": "Action"},
    "pdpa.access.col.changed": {"th": "ข้อมูลที่เปลี่ยน", "en": "Fields changed"},
    "pdpa.access.audit_export": {
        "th": "ส่งออกข้อมูลตามคำขอของเจ้าของข้อมูล",
        "en": "Exported for a subject access request",
    },
    "pdpa.access.other_column": {"th": "ข้อมูลอื่นของระบบ", "en": "Another column"},
    "pdpa.access.reads": {"th": "ประวัติการเข้าดูข้อมูล", "en": "Who viewed the record"},
    "pdpa.access.col.role": {"th": "บทบาท", "en": "Role"},
    "pdpa.access.col.fields": {"th": "ข้อมูลที่เห็น", "en": "Fields shown"},
    "pdpa.access.col.via": {"th": "ผ่านทาง", "en": "Through"},
    "pdpa.access.none": {"th": "ไม่มี", "en": "None"},
    "pdpa.access.page": {"th": "หน้า", "en": "Page"},
    "pdpa.access.of": {"th": "จาก", "en": "of"},
    "pdpa.access.export_title": {
        "th": "ส่งออกข้อมูลของครัวเรือนนี้ (มาตรา 30)",
        "en": "Export this household's data (PDPA s30)",
    },
    "pdpa.access.export_lead": {
        "th": "เมื่อครัวเรือนขอดูข้อมูลของตน: PDF ภาษาไทยสำหรับครัวเรือน และ JSON สำหรับโปรแกรม "
        "มีเลขประจำตัวประชาชนเต็ม การส่งออกแต่ละครั้งถูกบันทึกไว้",
        "en": "When the household asks for its data: a Thai PDF for the family and JSON for "
        "machines. They hold the full national ID number; every export is logged.",
    },
    "pdpa.access.download_pdf": {"th": "ดาวน์โหลด PDF สำหรับครัวเรือน", "en": "Download the PDF"},
    "pdpa.access.download_json": {"th": "ดาวน์โหลด JSON", "en": "Download the JSON"},
    "pdpa.access.cli_wrote": {
        "th": "เขียนข้อมูลของครัวเรือน {id} แล้ว",
        "en": "wrote household {id}'s data",
    },
    "pdpa.erase.cli_done": {
        "th": "ลบข้อมูลส่วนบุคคลของครัวเรือน {id} แล้ว: {fields} ช่อง สมาชิก {members} คน เอกสาร {documents} ฉบับ บันทึกประวัติ {audit} รายการ",
        "en": "erased household {id}'s personal data: {fields} fields, {members} members, {documents} documents, {audit} audit entries",
    },
    "pdpa.erase.cli_already": {
        "th": "ข้อมูลส่วนบุคคลของครัวเรือน {id} ถูกลบไปแล้ว",
        "en": "household {id}'s personal data was already erased",
    },
    "pdpa.restrict.cli_done": {
        "th": "ระงับการใช้ข้อมูลของครัวเรือน {id} แล้ว",
        "en": "household {id}'s processing is held back",
    },
    "pdpa.restrict.cli_lifted": {
        "th": "ยกเลิกการระงับการใช้ข้อมูลของครัวเรือน {id} แล้ว",
        "en": "household {id}'s processing is no longer held back",
    },
    "pdpa.retention.cli_none": {
        "th": "ไม่มีข้อมูลที่เกินระยะเวลาเก็บรักษา",
        "en": "nothing is past its retention period",
    },
    "pdpa.retention.cli_dry_run": {
        "th": "ทดลองดูเท่านั้น (dry run): ยังไม่ลบ ใช้ --apply เพื่อลบ {n} ครัวเรือน",
        "en": "dry run: nothing erased; --apply erases these {n} households",
    },
    "pdpa.retention.cli_line": {
        "th": "ครัวเรือน {id} กรณี {ref} ปิดเมื่อ {closed}: {what}",
        "en": "household {id}, case {ref}, closed {closed}: {what}",
    },
    "pdpa.retention.cli_applied": {
        "th": "ลบข้อมูลที่เกินระยะเวลาเก็บรักษาแล้ว {n} ครัวเรือน",
        "en": "erased the data past its retention period of {n} households",
    },
    "pdpa.retention.reason": {
        "th": "ครบระยะเวลาเก็บรักษา ({years} ปีหลังปิดกรณี)",
        "en": "retention period over ({years} years after the case closed)",
    },
    "pdpa.vacuum.left": {
        "th": "ลบข้อมูลแล้ว แต่ยังล้างพื้นที่ว่างในฐานข้อมูลไม่ครบ ({left}) เพราะมีผู้ใช้งานอยู่ กรุณาสั่ง planner pdpa vacuum อีกครั้งภายหลัง",
        "en": "erased, but the store could not be fully vacuumed yet ({left}) while it was in use; run planner pdpa vacuum again later",
    },
    "pdpa.vacuum.done": {
        "th": "ล้างพื้นที่ว่างในฐานข้อมูลแล้ว ไม่เหลือข้อมูลที่ลบ",
        "en": "the store is vacuumed: nothing erased is left in it",
    },
    "pdpa.class.personal": {"th": "ข้อมูลส่วนบุคคลทั้งหมด", "en": "all personal data"},
    "pdpa.class.sensitive": {"th": "ข้อมูลอ่อนไหว", "en": "sensitive data"},
    # The household page's requests of the family (app/templates/cases/_pdpa_requests.html).
    "pdpa.req.title": {
        "th": "PDPA: คำขอของครอบครัว (ลบ คัดค้าน ระงับการใช้)",
        "en": "PDPA: requests of the family (erase, object, restrict)",
    },
    "pdpa.req.lead": {
        "th": "ใช้เมื่อครอบครัวขอให้ลบข้อมูล (มาตรา 33) คัดค้านการประมวลผล (มาตรา 32) หรือระงับการใช้ข้อมูล (มาตรา 34) ระบบจะบันทึกเหตุผลและผู้ดำเนินการไว้",
        "en": "For when the family asks to erase their data (s33), objects to its processing (s32) or asks to restrict it (s34). The reason and who did it are recorded.",
    },
    "pdpa.req.reason": {"th": "เหตุผล (เช่น เลขที่คำขอ)", "en": "Reason (e.g. the request number)"},
    "pdpa.req.erase_title": {
        "th": "ลบข้อมูลส่วนบุคคล (มาตรา 33)",
        "en": "Erase the personal data (s33)",
    },
    "pdpa.req.erase_goes": {"th": "สิ่งที่จะถูกลบถาวร:", "en": "What is removed for good:"},
    "pdpa.req.erase_goes_list": {
        "th": "ชื่อ เลขประจำตัวประชาชน ที่อยู่และเบอร์โทร รายชื่อสมาชิก เอกสารและรูปถ่าย ค่าที่ได้จากแบบสำรวจ ข้อมูลอ่อนไหว และข้อมูลเดิมในประวัติการแก้ไข",
        "en": "names, national ID, address and phone, the members, documents and photos, survey values, sensitive data and the old values in the change history",
    },
    "pdpa.req.erase_stays": {"th": "สิ่งที่ยังเก็บไว้:", "en": "What stays:"},
    "pdpa.req.erase_stays_list": {
        "th": "เลขที่ครัวเรือน รหัสบ้าน สถานะบ้าน แปลง การตกลงย้าย ประเภทการถือครอง และจำนวนในภาพรวม (ไม่ระบุตัวบุคคล)",
        "en": "the household number, house id, house status, plot, agreement to move, tenure kind and the counts (they name no one)",
    },
    "pdpa.req.erase_confirm": {
        "th": "ฉันเข้าใจว่าข้อมูลข้างต้นจะถูกลบถาวรและกู้คืนไม่ได้",
        "en": "I understand the data above is removed for good and cannot be brought back",
    },
    "pdpa.req.erase_button": {"th": "ลบข้อมูลส่วนบุคคล", "en": "Erase the personal data"},
    "pdpa.req.erase_unconfirmed": {
        "th": "ต้องทำเครื่องหมายยืนยันก่อนลบ ยังไม่มีข้อมูลใดถูกลบ",
        "en": "Tick the confirmation first; nothing was erased.",
    },
    "pdpa.req.erased": {"th": "ลบข้อมูลส่วนบุคคลแล้ว", "en": "Personal data erased"},
    "pdpa.req.erased_on": {
        "th": "ข้อมูลส่วนบุคคลของครัวเรือนนี้ถูกลบตามคำขอเมื่อ {on}",
        "en": "This household's personal data was erased at its request on {on}",
    },
    "pdpa.req.erased_kept": {
        "th": "ระบบเก็บไว้เฉพาะเลขที่ครัวเรือน รหัสบ้าน สถานะบ้าน แปลง การตกลงย้าย ประเภทการถือครอง และจำนวนในภาพรวม และแก้ไขได้เฉพาะสถานะบ้าน การตกลงย้าย และแปลง",
        "en": "Only the household number, house id, house status, plot, agreement to move, tenure kind and the counts are kept; only the house status, agreement to move and plot can change.",
    },
    "pdpa.req.why": {"th": "เหตุผล", "en": "Reason"},
    "pdpa.jump.label": {
        "th": "ข้อมูลส่วนบุคคล (PDPA) ของครัวเรือนนี้",
        "en": "This household's personal data (PDPA)",
    },
    "pdpa.jump.export": {"th": "ส่งออกข้อมูลให้ครอบครัว", "en": "Export for the family"},
    "pdpa.jump.requests": {"th": "ลบ คัดค้าน หรือระงับการใช้", "en": "Erase, object or restrict"},
    "pdpa.jump.consent": {"th": "ความยินยอม", "en": "Consent"},
    "pdpa.jump.reads": {"th": "ผู้เข้าดูข้อมูล", "en": "Who viewed it"},
    "pdpa.req.flash_erased": {"th": "ลบข้อมูลส่วนบุคคลแล้ว", "en": "The personal data was erased."},
    "pdpa.req.restrict_title": {
        "th": "คัดค้านหรือระงับการใช้ข้อมูล (มาตรา 32, 34)",
        "en": "Object to or restrict the processing (s32, s34)",
    },
    "pdpa.req.restrict_lead": {
        "th": "ข้อมูลยังเก็บไว้ แต่จะแก้ไขไม่ได้ ไม่นำไปประมวลผลและไม่ส่งออก จนกว่าจะยกเลิกการระงับ",
        "en": "The data is kept but cannot be changed, processed or exported until the hold is lifted.",
    },
    "pdpa.req.kind": {"th": "ประเภทคำขอ", "en": "Kind of request"},
    "pdpa.req.restrict_button": {"th": "ระงับการใช้ข้อมูล", "en": "Hold back the data"},
    "pdpa.req.flash_restricted": {"th": "ระงับการใช้ข้อมูลแล้ว", "en": "The processing is held back."},
    "pdpa.req.held_back": {
        "th": "ข้อมูลของครัวเรือนนี้ถูกระงับการใช้: {kind} ตั้งแต่ {on}",
        "en": "This household's data is held back: {kind} since {on}",
    },
    "pdpa.req.held_back_edit": {
        "th": "ระหว่างระงับการใช้ แก้ไขได้เฉพาะสถานะบ้าน การตกลงย้าย และแปลง ข้อมูลอื่นต้องยกเลิกการระงับก่อน",
        "en": "While it is held back only the house status, agreement to move and plot can change; lift the hold first for the rest.",
    },
    "pdpa.req.lift_title": {"th": "ยกเลิกการระงับการใช้ข้อมูล", "en": "Lift the hold"},
    "pdpa.req.lift_button": {"th": "ยกเลิกการระงับ", "en": "Lift the hold"},
    "pdpa.req.flash_lifted": {"th": "ยกเลิกการระงับการใช้ข้อมูลแล้ว", "en": "The hold was lifted."},
    "pdpa.req.mark_erased": {"th": "ลบข้อมูลแล้ว", "en": "Data erased"},
    "pdpa.req.mark_restricted": {"th": "ระงับการใช้", "en": "Held back"},
    "pdpa.access.held_back": {"th": "สถานะตามคำขอ", "en": "State after a request"},
    "pdpa.access.erased": {
        "th": "ลบข้อมูลส่วนบุคคลตามคำขอแล้วเมื่อ",
        "en": "Personal data erased at its request on",
    },
    # -- end of PDPA --
    # -- the municipal site check (app/overlap_views.py, templates/overlap/, static/overlap.js) --
    "nav.overlap": {"th": "ตรวจสอบพื้นที่", "en": "Site check"},
    "overlap.title": {"th": "ตรวจสอบพื้นที่โครงการ", "en": "Check project sites"},
    "overlap.lead": {
        "th": "ตรวจพื้นที่ชุมชนหรือแปลงที่วางแผนไว้กับผังเมืองรวม กรรมสิทธิ์ที่ดิน ระยะถอยร่นจากคลอง "
        "ความลึกน้ำท่วม และภัยพิบัติในอดีต แล้วดูผลว่า ผ่าน ต้องระวัง หรือขัดแย้ง "
        "การตรวจนี้ไม่แก้ไขหรือบันทึกชั้นข้อมูลใดๆ ในระบบ",
        "en": "Check community sites or planned plots against the zoning plan, land tenure, "
        "the canal setback, flood depth and past disasters, and see whether each one passes, "
        "needs care (a warning) or conflicts. Nothing in the planner's layers is changed.",
    },
    "overlap.step_sites": {"th": "1. เลือกพื้นที่ที่จะตรวจ", "en": "1. Choose the sites"},
    "overlap.source_store": {
        "th": "ชุมชนที่มีในระบบ (เลือกได้หลายแห่ง)",
        "en": "Communities in the planner (tick one or more)",
    },
    "overlap.source_file": {
        "th": "อัปโหลดไฟล์ผังพื้นที่ของฉันเอง",
        "en": "Upload my own plan of the sites",
    },
    "overlap.filter": {"th": "ค้นหาชุมชน", "en": "Find a community"},
    "overlap.filter_hint": {"th": "พิมพ์รหัส ชื่อ หรือเขต", "en": "Type an id, name or district"},
    "overlap.select_shown": {"th": "เลือกทุกแห่งที่แสดง", "en": "Tick all shown"},
    "overlap.clear": {"th": "ไม่เลือกเลย", "en": "Untick all"},
    "overlap.selected": {"th": "เลือกแล้ว {n} แห่ง", "en": "{n} ticked"},
    "overlap.shown": {"th": "แสดง {n} จาก {total} แห่ง", "en": "{n} of {total} shown"},
    "overlap.col_id": {"th": "รหัส", "en": "Id"},
    "overlap.col_name": {"th": "ชื่อ", "en": "Name"},
    "overlap.col_district": {"th": "เขต / อำเภอ", "en": "District"},
    "overlap.no_communities": {
        "th": "ยังไม่มีชั้นข้อมูลชุมชนในระบบ กรุณาอัปโหลดไฟล์ผังพื้นที่แทน",
        "en": "There is no communities layer in the planner yet; upload a plan of the sites.",
    },
    "overlap.sites_file": {"th": "ไฟล์ผังพื้นที่", "en": "Plan of the sites"},
    "overlap.file_types": {
        "th": "GeoPackage (.gpkg), Shapefile ใน .zip, GeoJSON หรือ KML/KMZ (Google Earth) ไม่เกิน {mb} MB",
        "en": "GeoPackage (.gpkg), Shapefile in a .zip, GeoJSON or KML/KMZ (Google Earth), up to {mb} MB",
    },
    "overlap.sites_file_hint": {
        "th": "หนึ่งรูปหลายเหลี่ยมต่อหนึ่งพื้นที่ ถ้ามีฟิลด์ site_id และ name ระบบจะใช้เป็นรหัสและชื่อพื้นที่",
        "en": "One polygon per site. Fields site_id and name, if there, give each site its id and name.",
    },
    "overlap.crs": {
        "th": "ระบบพิกัดของไฟล์ (ใช้เมื่อไฟล์ไม่ได้ระบุไว้)",
        "en": "The file's coordinate system (when the file does not say)",
    },
    "overlap.crs_from_file": {"th": "ตามที่ระบุในไฟล์", "en": "As the file says"},
    "overlap.step_zoning": {
        "th": "2. ผังเมืองที่ใช้ตรวจ (ไม่บังคับ)",
        "en": "2. Zoning plan to check against (optional)",
    },
    "overlap.zoning_hint": {
        "th": "ถ้าไม่อัปโหลด ระบบใช้ผังเมืองรวมที่มีอยู่ในระบบ ถ้าต้องการตรวจกับผังใหม่หรือร่างผัง "
        "ให้อัปโหลดไฟล์ผังที่มีฟิลด์ zone_code (เช่น ย.4, ก.1) ไฟล์นี้ใช้เฉพาะการตรวจครั้งนี้ ไม่ถูกบันทึกในระบบ",
        "en": "Without a file the zoning plan stored in the planner is used. To check against a "
        "new or draft plan, upload it with a zone_code field (e.g. ย.4, ก.1). It is used for "
        "this check only and is not saved.",
    },
    "overlap.zoning_file": {"th": "ไฟล์ผังเมือง", "en": "Zoning file"},
    "overlap.step_checks": {"th": "3. เรื่องที่จะตรวจ", "en": "3. What to check"},
    "overlap.step_rules": {"th": "4. ชุดเกณฑ์ที่ใช้ตัดสิน", "en": "4. Rule set"},
    "overlap.rules_hint": {
        "th": "เกณฑ์ที่ใช้ตัดสินว่าแต่ละพื้นที่ ผ่าน ต้องระวัง หรือขัดแย้ง",
        "en": "The rules that decide whether each site passes, needs care or conflicts.",
    },
    "overlap.rules_checks": {"th": "มีเกณฑ์เรื่อง: {checks}", "en": "Has rules on: {checks}"},
    "overlap.submit": {"th": "ตรวจสอบ", "en": "Run the check"},
    "overlap.running": {
        "th": "กำลังตรวจสอบและจัดทำรายงาน อาจใช้เวลาสักครู่…",
        "en": "Checking and writing the report; this can take a little while…",
    },
    "overlap.hint.zoning": {
        "th": "ประเภทการใช้ที่ดินตามผังเมืองรวม",
        "en": "Land use zone of the comprehensive plan",
    },
    "overlap.hint.tenure": {"th": "ที่ดินของใคร (รัฐ เอกชน ฯลฯ)", "en": "Who owns the land"},
    "overlap.hint.setback": {
        "th": "อยู่ในแนวถอยร่นจากคลองหรือไม่",
        "en": "Whether the site is inside the canal setback",
    },
    "overlap.hint.flood": {"th": "ความลึกน้ำท่วมเฉลี่ยและสูงสุด", "en": "Mean and maximum flood depth"},
    "overlap.hint.disasters": {
        "th": "ไฟไหม้ น้ำท่วม หรือการไล่รื้อที่เคยเกิดใกล้ๆ",
        "en": "Fires, floods or evictions that happened nearby",
    },
    "overlap.errors_title": {
        "th": "ตรวจสอบไม่ได้ — ไม่มีการบันทึกข้อมูลใดๆ",
        "en": "The check could not run — nothing was saved",
    },
    "overlap.errors_fix": {
        "th": "กรุณาแก้ไขตามรายการด้านล่างแล้วกด “ตรวจสอบ” อีกครั้ง (ต้องเลือกไฟล์ที่อัปโหลดใหม่)",
        "en": "Fix the items below and press “Run the check” again (choose any files again).",
    },
    "overlap.where_file": {"th": "ไฟล์", "en": "file"},
    "overlap.where_layer": {"th": "ชั้นข้อมูล", "en": "layer"},
    "overlap.where_feature": {"th": "รายการที่", "en": "feature"},
    "overlap.where_field": {"th": "ฟิลด์", "en": "field"},
    "overlap.fix_crs": {
        "th": "วิธีแก้: เลือกระบบพิกัดในช่อง “ระบบพิกัดของไฟล์” แล้วส่งอีกครั้ง",
        "en": "To fix it: choose the coordinate system under “The file's coordinate system” and submit again.",
    },
    "overlap.fix_zoning_fields": {
        "th": "วิธีแก้: ไฟล์ผังเมืองต้องมีฟิลด์ {fields} (ชื่อเดียวกับชั้นข้อมูลผังเมืองในระบบ)",
        "en": "To fix it: the zoning file needs the fields {fields} (named as in the planner's zoning layer).",
    },
    "overlap.err_no_sites": {
        "th": "ยังไม่ได้เลือกพื้นที่ กรุณาเลือกชุมชนอย่างน้อยหนึ่งแห่ง หรืออัปโหลดไฟล์ผังพื้นที่",
        "en": "No sites chosen: tick at least one community, or upload a plan of the sites.",
    },
    "overlap.err_no_sites_file": {
        "th": "เลือก “อัปโหลดไฟล์ผังพื้นที่” แต่ยังไม่ได้เลือกไฟล์",
        "en": "“Upload my own plan” is chosen but no file was chosen.",
    },
    "overlap.err_no_checks": {
        "th": "ยังไม่ได้เลือกเรื่องที่จะตรวจ กรุณาเลือกอย่างน้อยหนึ่งเรื่อง",
        "en": "No check ticked: tick at least one thing to check.",
    },
    "overlap.err_unknown_check": {
        "th": "ไม่มีเรื่องที่จะตรวจชื่อ {checks} เลือกได้จาก: {known}",
        "en": "There is no check named {checks}; choose from: {known}",
    },
    "overlap.err_unknown_check_many": {
        "th": "ไม่มีเรื่องที่จะตรวจชื่อ {checks} เลือกได้จาก: {known}",
        "en": "There are no checks named {checks}; choose from: {known}",
    },
    "overlap.err_rules": {"th": "ไม่มีชุดเกณฑ์ชื่อ {name}", "en": "no rule set named {name}"},
    "overlap.err_crs_choice": {
        "th": "ไม่รองรับระบบพิกัด {crs}",
        "en": "the coordinate system {crs} is not one of the choices",
    },
    "overlap.err_file_type": {
        "th": "ไม่รองรับไฟล์ชนิด {suffix} ใช้ได้เฉพาะ {allowed}",
        "en": "unsupported file type {suffix}; use {allowed}",
    },
    "overlap.err_too_large": {
        "th": "ไฟล์ที่อัปโหลดใหญ่เกินขีดจำกัด {limit} MB",
        "en": "the upload is over the size limit of {limit} MB",
    },
    "overlap.result_title": {"th": "ผลการตรวจสอบพื้นที่", "en": "Site check result"},
    "overlap.run_meta": {
        "th": "ตรวจเมื่อ {when} โดย {user} · ชุดเกณฑ์: {rules}",
        "en": "Checked {when} by {user} · rule set: {rules}",
    },
    "overlap.summary": {"th": "สรุปผล {n} พื้นที่", "en": "Summary of {n} sites"},
    "overlap.n_sites": {"th": "{n} พื้นที่", "en": "{n} sites"},
    "overlap.verdict_meaning.pass": {
        "th": "ไม่ติดเกณฑ์ใด",
        "en": "No rule was triggered",
    },
    "overlap.verdict_meaning.warning": {
        "th": "ทำได้ แต่ต้องดำเนินการเพิ่ม",
        "en": "Possible, with extra steps",
    },
    "overlap.verdict_meaning.conflict": {
        "th": "ขัดกับผังหรือข้อกำหนด",
        "en": "Against the plan or a rule",
    },
    "overlap.sample_warning": {
        "th": "ข้อมูลตัวอย่าง: ชั้นข้อมูลบางชั้นที่ใช้ตรวจเป็นข้อมูลตัวอย่างหรือวางตำแหน่งโดยประมาณ "
        "ผลนี้ใช้สาธิตวิธีตรวจเท่านั้น ไม่ใช่ข้อเท็จจริง",
        "en": "Sample data: some layers checked against are illustrative or approximately placed. "
        "This result shows how the check works; it is not a fact.",
    },
    "overlap.uploaded_zoning": {
        "th": "ตรวจกับผังเมืองจากไฟล์ที่อัปโหลด “{file}” แทนผังเมืองในระบบ (เฉพาะครั้งนี้ ไม่ได้บันทึกไฟล์)",
        "en": "Checked against the uploaded zoning file “{file}” instead of the stored zoning "
        "(this check only; the file was not saved).",
    },
    "overlap.downloads": {"th": "ดาวน์โหลดรายงาน", "en": "Download the report"},
    "overlap.dl.pdf": {"th": "สำหรับพิมพ์", "en": "to print"},
    "overlap.dl.csv": {"th": "ตาราง เปิดด้วย Excel", "en": "table for Excel"},
    "overlap.dl.geojson": {"th": "แผนที่ เปิดด้วย QGIS", "en": "map data for QGIS"},
    "overlap.dl.html": {"th": "หน้าเว็บ เปิดด้วยเบราว์เซอร์", "en": "web page for a browser"},
    "overlap.dl_unavailable": {"th": "ยังไม่พร้อม", "en": "not available"},
    "overlap.report_lang": {
        "th": "รายงาน PDF และ HTML เป็นภาษา{language} ตามภาษาของหน้าเว็บตอนกดตรวจสอบ",
        "en": "The PDF and HTML reports are in {language}, the page's language when the check ran.",
    },
    "overlap.lang_name.th": {"th": "ไทย", "en": "Thai"},
    "overlap.lang_name.en": {"th": "อังกฤษ", "en": "English"},
    "overlap.new_check": {"th": "ตรวจพื้นที่อื่น", "en": "Check other sites"},
    "overlap.map_title": {"th": "แผนที่ผลการตรวจ", "en": "Map of the result"},
    "overlap.map_hint": {
        "th": "สีของพื้นที่คือผลการตรวจ คลิกที่พื้นที่เพื่อดูชื่อและผล",
        "en": "Each site is coloured by its result. Click a site for its name and result.",
    },
    "overlap.legend": {"th": "คำอธิบายสัญลักษณ์", "en": "Legend"},
    "overlap.legend_setback": {"th": "แนวถอยร่นจากคลอง", "en": "Canal setback"},
    "overlap.legend_sites": {
        "th": "พื้นที่ที่ตรวจ (ขอบหนา จุด และป้ายชื่อ)",
        "en": "Checked sites (thick outline, dot and label)",
    },
    "overlap.legend_other": {"th": "ชั้นข้อมูลอื่น", "en": "Other layers"},
    "overlap.show_on_map": {"th": "ดูบนแผนที่", "en": "Show on the map"},
    "overlap.legend_zoning": {"th": "ผังเมือง (สีพื้น)", "en": "Zoning (background colour)"},
    "overlap.legend_zoning_uploaded": {
        "th": "ผังเมืองจากไฟล์ที่อัปโหลด (สีพื้น)",
        "en": "Zoning from the uploaded file (background colour)",
    },
    "overlap.map_failed": {"th": "แสดงแผนที่ไม่ได้", "en": "The map could not be shown"},
    "overlap.zoom_sites": {"th": "ซูมไปที่พื้นที่ทั้งหมด", "en": "Zoom to all sites"},
    "overlap.see_row": {"th": "ดูเหตุผลในตาราง", "en": "See the reasons in the table"},
    "overlap.table_title": {"th": "ผลรายพื้นที่", "en": "Result for each site"},
    "overlap.col_area": {"th": "เนื้อที่", "en": "Area"},
    "overlap.col_verdict": {"th": "ผล", "en": "Result"},
    "overlap.col_reasons": {"th": "เหตุผลและสิ่งที่ต้องทำ", "en": "Reasons and what to do"},
    "overlap.area_value": {"th": "{m2} ตร.ม. ({rai})", "en": "{m2} m² ({rai})"},
    "overlap.no_reasons": {
        "th": "ไม่ติดเกณฑ์ใดในชุดเกณฑ์นี้",
        "en": "No rule of this rule set was triggered.",
    },
    "overlap.action": {"th": "สิ่งที่ต้องทำ", "en": "To do"},
    "overlap.findings": {"th": "สิ่งที่พบ", "en": "What was found"},
    "overlap.rules_title": {"th": "เกณฑ์ที่ใช้ตัดสิน", "en": "Rules applied"},
    "overlap.col_rule": {"th": "เกณฑ์", "en": "Rule"},
    "overlap.col_check": {"th": "เรื่อง", "en": "Check"},
    "overlap.col_if_met": {"th": "ถ้าเข้าเงื่อนไข", "en": "If met"},
    "overlap.rule_not_used": {
        "th": "ไม่ได้ใช้ เพราะไม่ได้เลือกตรวจเรื่องนี้",
        "en": "not used: this check was not ticked",
    },
    "overlap.parameters": {
        "th": "น้ำท่วมลึกเกิน {flood} ม. นับเป็นน้ำท่วมลึก · นับภัยพิบัติในระยะ {radius} ม.",
        "en": "Flood deeper than {flood} m counts as deep · disasters counted within {radius} m",
    },
    "overlap.inputs_title": {"th": "ข้อมูลที่ใช้ตรวจ", "en": "Data checked against"},
    "overlap.sites_from_store": {
        "th": "พื้นที่: ชุมชนในระบบ {n} แห่ง (ชั้นข้อมูล {layer} ฉบับที่ {version})",
        "en": "Sites: {n} communities of the planner (layer {layer}, version {version})",
    },
    "overlap.sites_from_file": {
        "th": "พื้นที่: {n} แห่ง จากไฟล์ “{file}” (ไม่ได้บันทึกไฟล์)",
        "en": "Sites: {n} from the file “{file}” (the file was not saved)",
    },
    "overlap.layer_version": {"th": "ฉบับที่ {version}", "en": "version {version}"},
    "overlap.uploaded_file": {
        "th": "ไฟล์ที่อัปโหลด “{file}”",
        "en": "the uploaded file “{file}”",
    },
    # overlap.status.<status>: from gis.catalog.STATUS_LABELS, below.
    "overlap.run_id": {"th": "รหัสการตรวจ", "en": "Run id"},
    # -- the community workshop (app/layout_views.py, templates/layout/, static/workshop.js) --
    "nav.workshop": {"th": "ประชุมวางผังชุมชน", "en": "Layout workshop"},
    "workshop.title": {"th": "ประชุมวางผังชุมชน", "en": "Community layout workshop"},
    "workshop.lead": {
        "th": "ตั้งค่าด้านล่าง แล้วกด “สร้างทางเลือก” เพื่อดูผังที่ดินหลายแบบเทียบกัน "
        "เลือกแบบที่ชอบเพื่อปรับแก้ แล้วบันทึกแบบที่ชุมชนตกลง",
        "en": "Set the values below and press “Make options” to compare layouts of the land "
        "side by side; choose one to adjust it, then save the one the community agrees.",
    },
    "workshop.view_only": {
        "th": "คุณดูและทดลองปรับผังได้ แต่บันทึกผังของกรณีนี้ไม่ได้",
        "en": "You may look and try changes, but you cannot save a layout for this case.",
    },
    "workshop.last_decision": {
        "th": "ผังที่ตกลงล่าสุด: {name} · ตกลงโดย {by} · เมื่อ {on}",
        "en": "Last agreed layout: {name} · agreed by {by} · on {on}",
    },
    "workshop.step_set": {"th": "1. ตั้งค่า", "en": "1. Set the values"},
    "workshop.g.households": {"th": "ครัวเรือน", "en": "Households"},
    "workshop.g.lanes": {"th": "ซอย", "en": "Lanes"},
    "workshop.g.land": {"th": "ที่ดิน", "en": "Land"},
    "workshop.p.households": {"th": "ครัวเรือนที่ต้องมีบ้าน", "en": "Households to house"},
    "workshop.p.plot_width": {"th": "กว้าง ด้านติดซอย", "en": "Width on the lane"},
    "workshop.p.plot_depth": {"th": "ลึก", "en": "Depth"},
    "workshop.p.main_lane_width": {"th": "ซอยหลักกว้าง", "en": "Main lane width"},
    "workshop.p.lane_width": {"th": "ซอยย่อยกว้าง", "en": "Side lane width"},
    "workshop.p.setback": {"th": "ถอยร่นจากกลางคลอง", "en": "Setback from mid-canal"},
    "workshop.p.common_share": {"th": "พื้นที่ส่วนกลาง", "en": "Common space"},
    "workshop.u.share": {"th": "% ของที่ดินทั้งแปลง", "en": "% of the whole site"},
    "workshop.p.options": {"th": "จำนวนทางเลือก", "en": "Number of options"},
    "workshop.p.seed": {"th": "เลขสุ่ม", "en": "Seed"},
    "workshop.less": {"th": "ลด", "en": "Less"},
    "workshop.more": {"th": "เพิ่ม", "en": "More"},
    "workshop.u.households": {"th": "ครัวเรือน", "en": "households"},
    "workshop.u.m": {"th": "ม.", "en": "m"},
    "workshop.options_count": {"th": "จำนวนทางเลือก", "en": "How many options"},
    "workshop.options_n": {"th": "{n} แบบ", "en": "{n}"},
    "workshop.generate": {"th": "สร้างทางเลือก", "en": "Make options"},
    "workshop.costs": {"th": "ค่าก่อสร้างต่อหน่วย", "en": "Unit costs"},
    "workshop.costs_hint": {
        "th": "ตัวเลขตัวอย่าง แก้ไขได้ตามราคาจริงของชุมชน (บาท)",
        "en": "Illustrative figures; change them to the community's real prices (baht).",
    },
    "workshop.cost.main_lane_per_m": {"th": "ซอยหลัก ต่อเมตร", "en": "Main lane, per metre"},
    "workshop.cost.lane_per_m": {"th": "ซอยย่อย ต่อเมตร", "en": "Side lane, per metre"},
    "workshop.cost.plot_services": {
        "th": "น้ำ ไฟ ท่อ ต่อแปลง",
        "en": "Water, power and drains, per plot",
    },
    "workshop.cost.common_space_per_m2": {
        "th": "พื้นที่ส่วนกลาง ต่อตร.ม.",
        "en": "Common space, per m²",
    },
    "workshop.step_compare": {"th": "2. เทียบทางเลือก", "en": "2. Compare the options"},
    "workshop.preview": {
        "th": "ที่ดินของโครงการ คลอง และระยะถอยร่น",
        "en": "The site, the canal and its setback",
    },
    "workshop.empty": {
        "th": "ยังไม่มีทางเลือก กดปุ่ม “สร้างทางเลือก” ด้านบน",
        "en": "No options yet: press “Make options” above.",
    },
    "workshop.back": {"th": "← กลับไปดูทุกทางเลือก", "en": "← Back to all options"},
    "workshop.edit_map": {"th": "ผังที่กำลังปรับ", "en": "The layout being adjusted"},
    "workshop.tools": {"th": "เครื่องมือปรับผัง", "en": "Tools"},
    "workshop.tool.move": {"th": "ย้ายซอย", "en": "Move a lane"},
    "workshop.tool.merge": {"th": "รวมสองแปลง", "en": "Merge two plots"},
    "workshop.tool.split": {"th": "แบ่งแปลง", "en": "Split a plot"},
    "workshop.undo": {"th": "ย้อนกลับ", "en": "Undo"},
    "workshop.lane_minus": {"th": "1 ม.", "en": "1 m"},
    "workshop.lane_plus": {"th": "1 ม.", "en": "1 m"},
    "workshop.checking": {"th": "กำลังตรวจผัง…", "en": "Checking the layout…"},
    "workshop.valid": {
        "th": "✓ ผังนี้ถูกต้องตามเงื่อนไขทุกข้อ",
        "en": "✓ This layout keeps every rule",
    },
    "workshop.save_title": {"th": "3. บันทึกผังที่ชุมชนตกลง", "en": "3. Save the agreed layout"},
    "workshop.agreed_by": {"th": "ผู้ตกลง", "en": "Agreed by"},
    "workshop.agreed_by_hint": {
        "th": "เช่น คณะกรรมการกลุ่มออมทรัพย์",
        "en": "e.g. the savings-group committee",
    },
    "workshop.agreed_on": {"th": "วันที่ตกลง (พ.ศ.)", "en": "Date agreed (Buddhist Era)"},
    "workshop.day": {"th": "วันที่", "en": "Day"},
    "workshop.month": {"th": "เดือน", "en": "Month"},
    "workshop.year_be": {"th": "ปี พ.ศ.", "en": "Year (BE)"},
    "workshop.be": {"th": "พ.ศ. {year}", "en": "{year} BE"},
    "workshop.month.1": {"th": "มกราคม", "en": "January"},
    "workshop.month.2": {"th": "กุมภาพันธ์", "en": "February"},
    "workshop.month.3": {"th": "มีนาคม", "en": "March"},
    "workshop.month.4": {"th": "เมษายน", "en": "April"},
    "workshop.month.5": {"th": "พฤษภาคม", "en": "May"},
    "workshop.month.6": {"th": "มิถุนายน", "en": "June"},
    "workshop.month.7": {"th": "กรกฎาคม", "en": "July"},
    "workshop.month.8": {"th": "สิงหาคม", "en": "August"},
    "workshop.month.9": {"th": "กันยายน", "en": "September"},
    "workshop.month.10": {"th": "ตุลาคม", "en": "October"},
    "workshop.month.11": {"th": "พฤศจิกายน", "en": "November"},
    "workshop.month.12": {"th": "ธันวาคม", "en": "December"},
    "workshop.note": {"th": "หมายเหตุ", "en": "Note"},
    "workshop.save_blocked": {
        "th": "แก้ผังให้ถูกต้องทุกข้อก่อน จึงจะบันทึกได้",
        "en": "Fix every broken rule first; then the layout can be saved.",
    },
    "workshop.save": {"th": "บันทึกผังนี้", "en": "Save this layout"},
    "workshop.to_case": {"th": "ไปที่หน้ากรณี", "en": "Go to the case"},
    "workshop.print": {
        "th": "พิมพ์ทางเลือกที่เทียบ (PDF ขนาด A3)",
        "en": "Print the options compared (A3 PDF)",
    },
    "workshop.offline": {
        "th": "หน้านี้ใช้ได้โดยไม่ต้องมีอินเทอร์เน็ต การปรับผังทำบนหน้านี้ ส่วนการตรวจเงื่อนไข "
        "การสร้างทางเลือกใหม่ และการบันทึก ใช้โปรแกรมวางแผนที่เปิดอยู่ในเครื่องนี้ (เซิร์ฟเวอร์ในเครื่อง)",
        "en": "This page needs no internet. You adjust a layout on this page; checking its rules, "
        "making new options and saving use the planner running on this laptop (the local "
        "server).",
    },
    "workshop.legend": {"th": "คำอธิบายสี", "en": "Legend"},
    "workshop.legend.row": {"th": "บ้านแถว", "en": "Row house"},
    "workshop.legend.twin": {"th": "บ้านแฝด", "en": "Twin house"},
    "workshop.legend.main": {"th": "ซอยหลัก", "en": "Main lane"},
    "workshop.legend.lane": {"th": "ซอยย่อย", "en": "Side lane"},
    "workshop.legend.common": {"th": "พื้นที่ส่วนกลาง", "en": "Common space"},
    "workshop.legend.spare": {"th": "ที่ว่างเหลือ", "en": "Spare land"},
    "workshop.legend.setback": {"th": "ระยะถอยร่นจากคลอง", "en": "Canal setback"},
    "workshop.legend.canal": {"th": "กลางคลอง", "en": "Canal centre line"},
    "workshop.legend.access": {"th": "ทางเข้า", "en": "Access point"},
    "workshop.legend.bad": {"th": "ผิดเงื่อนไข", "en": "Breaks a rule"},
    "workshop.case_panel": {"th": "ผังชุมชนที่ตกลง", "en": "Agreed site layout"},
    "workshop.open": {"th": "ประชุมวางผังชุมชน →", "en": "Community layout workshop →"},
    "workshop.d.option": {"th": "ทางเลือก", "en": "Option"},
    "workshop.d.agreed_by": {"th": "ผู้ตกลง", "en": "Agreed by"},
    "workshop.d.agreed_on": {"th": "วันที่ตกลง", "en": "Agreed on"},
    "workshop.d.houses": {"th": "บ้าน", "en": "Houses"},
    "workshop.d.housed": {
        "th": "บ้าน {housed} หลัง จาก {needed} ครัวเรือน",
        "en": "{housed} houses for {needed} households",
    },
    "workshop.d.short": {"th": "ขาดอีก {n} ครัวเรือน", "en": "{n} households short"},
    "workshop.d.recorded": {"th": "บันทึกโดย", "en": "Recorded by"},
    "workshop.d.on_map": {
        "th": "แปลง ซอย และพื้นที่ส่วนกลางของผังนี้แสดงอยู่บนแผนที่ของกรณี",
        "en": "The layout's plots, lanes and common space are on the case's map.",
    },
    "workshop.d.none": {
        "th": "ยังไม่ได้บันทึกผังที่ชุมชนตกลง",
        "en": "No agreed layout has been saved yet.",
    },
    "workshopjs.million": {"th": "{n} ล้านบาท", "en": "{n} million baht"},
    "workshopjs.baht": {"th": "{n} บาท", "en": "{n} baht"},
    "workshopjs.lane_main": {"th": "ซอยหลัก", "en": "the main lane"},
    "workshopjs.lane_loop": {"th": "ถนนวน", "en": "the loop lane"},
    "workshopjs.lane_n": {"th": "ซอย {n}", "en": "lane {n}"},
    "workshopjs.housed": {
        "th": "บ้าน {housed} หลัง จาก {needed} ครัวเรือน",
        "en": "{housed} houses for {needed} households",
    },
    "workshopjs.short": {"th": "ขาดอีก {n} ครัวเรือน", "en": "{n} households short"},
    "workshopjs.all_housed": {"th": "ครบทุกครัวเรือน", "en": "Every household has a plot"},
    "workshopjs.none_fit": {
        "th": "ที่ดินนี้วางบ้านไม่ได้เลยด้วยขนาดแปลงและระยะถอยร่นนี้ (ถอยร่น {setback} ม. จากกลางคลอง) "
        "ลองลดขนาดแปลง ความกว้างซอย หรือระยะถอยร่น",
        "en": "No house fits on this land with these plot sizes and this setback ({setback} m "
        "from the canal's centre line). Try smaller plots, narrower lanes or a smaller setback.",
    },
    "workshopjs.by_type": {"th": "{label}: {n} หลัง", "en": "{label}: {n}"},
    "workshopjs.lane_per_house": {
        "th": "ซอยยาว {m} เมตร ต่อบ้านหนึ่งหลัง",
        "en": "{m} m of lane per house",
    },
    "workshopjs.common": {
        "th": "พื้นที่ส่วนกลาง {pct}% ของที่ดินทั้งแปลง ({area} ตร.ม.)",
        "en": "Common space {pct}% of the whole site ({area} m²)",
    },
    "workshopjs.common_below": {
        "th": "พื้นที่ส่วนกลางน้อยกว่าที่ขอไว้ {target}% ของที่ดินทั้งแปลง",
        "en": "Common space is below the {target}% of the whole site asked for",
    },
    "workshopjs.cost": {"th": "ค่าก่อสร้างประมาณ {total}", "en": "Estimated cost {total}"},
    "workshopjs.cost_each": {"th": "(หลังละ {each})", "en": "({each} a house)"},
    "workshopjs.edited": {"th": "ปรับเองแล้ว {n} ครั้ง", "en": "Adjusted by hand {n} times"},
    "workshopjs.server_unreachable": {
        "th": "ติดต่อโปรแกรมวางแผนในเครื่องไม่ได้ ตรวจว่าโปรแกรมยังเปิดอยู่",
        "en": "The planner on this laptop did not answer; check that it is still running.",
    },
    "workshopjs.generating": {"th": "กำลังสร้างทางเลือก…", "en": "Making the options…"},
    "workshopjs.generated": {"th": "สร้างแล้ว {n} ทางเลือก", "en": "{n} options made"},
    "workshopjs.choose": {"th": "เลือกแบบนี้และปรับแก้", "en": "Choose this one and adjust it"},
    "workshopjs.card_broken": {
        "th": "ผิดเงื่อนไข {n} ข้อ",
        "en": "{n} broken rules",
    },
    "workshopjs.hint_none": {
        "th": "เลือกเครื่องมือด้านบน แล้วแตะที่ผัง",
        "en": "Pick a tool above, then tap the map.",
    },
    "workshopjs.hint_move": {
        "th": "แตะซอยย่อยที่จะย้าย แล้วลากหรือกดปุ่มลูกศร (ย้ายตามขวางของซอย)",
        "en": "Tap a side lane, then drag it or press the arrows (it moves across its length).",
    },
    "workshopjs.hint_merge": {
        "th": "แตะแปลงแรก แล้วแตะแปลงที่อยู่ติดกันเพื่อรวมเป็นแปลงเดียว",
        "en": "Tap one plot, then the plot beside it, to make them one.",
    },
    "workshopjs.hint_split": {
        "th": "แตะแปลงที่จะแบ่งเป็นสองแปลง (แบ่งครึ่งตามด้านที่ติดซอย)",
        "en": "Tap a plot to split it in two (halving its side on the lane).",
    },
    "workshopjs.plot_label": {
        "th": "แปลง {no} · {type} · {area} ตร.ม.",
        "en": "Plot {no} · {type} · {area} m²",
    },
    "workshopjs.more_problems": {"th": "และอีก {n} ข้อ", "en": "and {n} more"},
    "workshopjs.more_here": {"th": "และอีก {n} ข้อที่นี่", "en": "and {n} more here"},
    "workshopjs.check_failed": {
        "th": "✗ ตรวจผังไม่ได้ · ยังบันทึกไม่ได้",
        "en": "✗ The layout could not be checked · cannot be saved yet",
    },
    "workshopjs.broken": {
        "th": "✗ ผิดเงื่อนไข {n} ข้อ · ยังบันทึกไม่ได้",
        "en": "✗ {n} broken rules · cannot be saved yet",
    },
    "workshopjs.split_done": {
        "th": "แบ่งแปลง {no} เป็นแปลง {no} และ {other} แล้ว",
        "en": "Plot {no} split into plots {no} and {other}",
    },
    "workshopjs.split_no": {
        "th": "แบ่งได้เฉพาะแปลงสี่เหลี่ยม",
        "en": "Only a rectangular plot can be split",
    },
    "workshopjs.merge_first": {
        "th": "เลือกแปลง {no} แล้ว แตะแปลงที่อยู่ติดกัน",
        "en": "Plot {no} picked; tap the plot beside it",
    },
    "workshopjs.merge_done": {
        "th": "รวมแปลง {a} กับ {b} เป็นแปลง {no} แล้ว",
        "en": "Plots {a} and {b} are now plot {no}",
    },
    "workshopjs.merge_no": {
        "th": "รวมแปลง {a} กับ {b} ไม่ได้: ต้องเป็นแปลงที่อยู่ติดกันและมีด้านชนกันเต็มด้าน",
        "en": "Plots {a} and {b} cannot be merged: they must sit side by side, sharing a whole edge",
    },
    "workshopjs.move_only_secondary": {
        "th": "ย้ายได้เฉพาะซอยย่อย",
        "en": "Only side lanes can be moved",
    },
    "workshopjs.lane_picked": {
        "th": "เลือก{lane} แล้ว ลากหรือกดปุ่มลูกศรเพื่อย้าย",
        "en": "{lane} picked: drag it or press an arrow",
    },
    "workshopjs.lane_offset": {
        "th": "{lane} ย้ายไป {m} ม.",
        "en": "{lane} moved {m} m",
    },
    "workshopjs.lane_none": {"th": "ยังไม่ได้เลือกซอย", "en": "No lane picked"},
    "workshopjs.undone": {"th": "ย้อนกลับแล้ว", "en": "Undone"},
    "workshopjs.confirm_replace": {
        "th": "การบันทึกผังนี้จะแทนที่แปลงที่วาดด้วยมือในหน้ากรณี {n} แปลง: {plots}\nบันทึกและแทนที่แปลงเหล่านี้ใช่หรือไม่",
        "en": "Saving this layout replaces {n} plots drawn by hand on the case page: {plots}\nSave and replace them?",
    },
    "workshopjs.confirm_replace_one": {
        "th": "การบันทึกผังนี้จะแทนที่แปลงที่วาดด้วยมือในหน้ากรณี 1 แปลง: {plots}\nบันทึกและแทนที่แปลงนี้ใช่หรือไม่",
        "en": "Saving this layout replaces 1 plot drawn by hand on the case page: {plots}\nSave and replace it?",
    },
    "workshopjs.not_replaced": {
        "th": "ยังไม่ได้บันทึก: แปลงที่วาดด้วยมือยังอยู่",
        "en": "Not saved: the plots drawn by hand are kept.",
    },
    "workshopjs.need_agreed_by": {
        "th": "กรุณาระบุผู้ตกลง",
        "en": "Say who agreed",
    },
    "workshopjs.bad_date": {"th": "วันที่ไม่ถูกต้อง", "en": "That date does not exist"},
    "workshopjs.saving": {"th": "กำลังบันทึก…", "en": "Saving…"},
    "workshopjs.printing": {
        "th": "กำลังทำไฟล์ PDF สำหรับพิมพ์…",
        "en": "Making the PDF to print…",
    },
    "workshopjs.printed": {
        "th": "ดาวน์โหลดไฟล์ PDF แล้ว",
        "en": "The PDF has been downloaded",
    },
    "workshopjs.print_failed": {
        "th": "ทำไฟล์ PDF ไม่สำเร็จ ลองอีกครั้ง",
        "en": "The PDF could not be made; try again",
    },
    "workshopjs.saved": {
        "th": "บันทึกแล้ว: {name} · ตกลงโดย {by} · เมื่อ {on}",
        "en": "Saved: {name} · agreed by {by} · on {on}",
    },
    "workshopjs.reload": {
        "th": "โหลดหน้านี้ใหม่เพื่อดูข้อมูลล่าสุด แล้วบันทึกอีกครั้ง",
        "en": "Reload this page to see the latest, then save again.",
    },
    # -- the map page (static/js/map.js, static/js/i18n.js, templates/map.html) --
    "banner.illustrative": {
        "th": "ข้อมูลตัวอย่าง: บางชั้นข้อมูลเป็นข้อมูลตัวอย่างหรือวางตำแหน่งโดยประมาณ ไม่ใช่ข้อเท็จจริง ดูสถานะของแต่ละชั้นได้ในรายการชั้นข้อมูล คำอธิบายสัญลักษณ์ และหน้าต่างข้อมูล",
        "en": "Sample data: some layers are illustrative or only approximately placed, not facts. Each layer's status is shown in the layer list, the legend and the feature pop-ups.",
    },
    "banner.close": {"th": "ปิดข้อความ", "en": "Dismiss"},
    "lang.switch": {"th": "เปลี่ยนภาษา", "en": "Change language"},
    "status.loading": {"th": "กำลังโหลดชั้นข้อมูล…", "en": "Loading layers…"},
    "status.loadingProgress": {
        "th": "กำลังโหลดชั้นข้อมูล {done}/{total}…",
        "en": "Loading layers {done}/{total}…",
    },
    "status.loaded": {"th": "โหลดชั้นข้อมูลแล้ว {count} ชั้น", "en": "{count} layers loaded"},
    "status.layerFailed": {
        "th": "โหลดชั้นข้อมูล “{layer}” ไม่สำเร็จ: {error}",
        "en": "Could not load the layer “{layer}”: {error}",
    },
    "status.catalogFailed": {
        "th": "โหลดรายการชั้นข้อมูลไม่สำเร็จ: {error}",
        "en": "Could not load the list of layers: {error}",
    },
    "status.onlineTilesFailed": {
        "th": "แผนที่ฐานออนไลน์โหลดไม่ได้ (ไม่มีอินเทอร์เน็ต?) แผนที่ยังใช้งานได้ตามปกติ",
        "en": "The online basemap cannot load (no internet?). The map still works.",
    },
    "base.plain": {"th": "พื้นหลังสีอ่อน (ออฟไลน์)", "en": "Plain light background (offline)"},
    "base.osm": {
        "th": "OpenStreetMap (ออนไลน์ ต้องใช้อินเทอร์เน็ต)",
        "en": "OpenStreetMap (online, needs internet)",
    },
    "legend.title": {"th": "คำอธิบายสัญลักษณ์", "en": "Legend"},
    "legend.toggle": {"th": "ย่อ/ขยายคำอธิบายสัญลักษณ์", "en": "Show/hide the legend"},
    "legend.hidden": {"th": "(ปิดอยู่)", "en": "(hidden)"},
    "legend.noData": {"th": "(ยังไม่มีข้อมูล)", "en": "(no data yet)"},
    "legend.zoomIn": {
        "th": "รูปขนาดเล็กจะแสดงเมื่อซูมเข้า",
        "en": "Small shapes are drawn when you zoom in",
    },
    "overlap.check_missing": {
        "th": "(ยังไม่มีชั้นข้อมูลนี้ในระบบ นำเข้าก่อนจึงจะตรวจได้)",
        "en": "(this layer is not loaded yet: import it to run this check)",
    },
    "legend.counts": {
        "th": "วงกลมแสดงจำนวนในบริเวณนั้น ซูมเข้าเพื่อดูรูปแปลงแต่ละหลัง",
        "en": "Circles show how many are there; zoom in to see each shape",
    },
    "zoom.label": {"th": "ซูมไปที่ชั้นข้อมูล", "en": "Zoom to layer"},
    "zoom.choose": {"th": "— เลือกชั้นข้อมูล —", "en": "— choose a layer —"},
    "zoom.go": {"th": "ซูม", "en": "Zoom"},
    "zoom.all": {"th": "ดูทั้งหมด", "en": "Zoom to all"},
    "zoom.in": {"th": "ซูมเข้า", "en": "Zoom in"},
    "zoom.out": {"th": "ซูมออก", "en": "Zoom out"},
    "popup.status": {"th": "สถานะข้อมูล", "en": "Data status"},
    "popup.communityCases": {"th": "ดูกรณีของชุมชนนี้", "en": "This community's cases"},
    "popup.source": {"th": "ที่มา", "en": "Source"},
    "popup.licence": {"th": "สัญญาอนุญาต", "en": "Licence"},
    "value.yes": {"th": "ใช่", "en": "Yes"},
    "value.no": {"th": "ไม่ใช่", "en": "No"},
    "value.empty": {"th": "—", "en": "—"},
    "map.label": {"th": "แผนที่", "en": "Map"},
    "attribution.prefix": {"th": "Leaflet", "en": "Leaflet"},
    # Phones, tablets and keyboards (issue 13, items 2 and 7): Leaflet's own controls.
    "layers.toggle": {"th": "ชั้นข้อมูลและแผนที่ฐาน", "en": "Layers and basemap"},
    # -- the site check's own messages (app/application/site_check.py) --
    "site_check.empty_file": {"th": "ไฟล์ไม่มีพื้นที่ใดเลย", "en": "the file holds no sites"},
    "site_check.no_sites_layer": {
        "th": "ยังไม่มีชั้นข้อมูล {layer} ในระบบ กรุณาอัปโหลดไฟล์ผังพื้นที่",
        "en": "there is no {layer} layer in the planner; upload a plan of the sites",
    },
    "site_check.ids_of_file": {
        "th": "รหัสพื้นที่ใช้เลือกพื้นที่จากชั้นข้อมูลในระบบเท่านั้น ไม่ใช่จากไฟล์",
        "en": "site ids select sites of a stored layer, not of a file",
    },
    "site_check.zoning_unticked": {
        "th": "มีไฟล์ผังเมือง แต่ไม่ได้เลือกตรวจ “ผังเมืองรวม” กรุณาเลือกหรือเอาไฟล์ออก",
        "en": "a zoning file was given but the zoning check is not asked for; ask for it or leave the file out",
    },
    "site_check.layer_missing": {
        "th": "ไม่มีชั้นข้อมูล {layer} ในระบบ จึงตรวจเรื่องนี้ไม่ได้",
        "en": "the planner has no {layer} layer, so the {check} check cannot run",
    },
    "site_check.no_run": {"th": "ไม่พบผลการตรวจสอบนี้", "en": "no site check {run_id!r}"},
    "site_check.too_many_sites": {
        "th": "มีพื้นที่ {count:,} แห่ง เกินกว่าที่ตรวจได้ในครั้งเดียว ({limit:,} แห่ง) กรุณาแบ่งไฟล์ หรือใช้คำสั่ง planner overlap",
        "en": "{count:,} sites are more than one check takes ({limit:,}); split the plan, or run `planner overlap` on the server",
    },
    # -- uploads (static/js/imports.js) --
    "imports.upload_failed": {"th": "อัปโหลดไม่สำเร็จ", "en": "Upload failed"},
    # -- the household survey form (app/application/survey_form.py, app/survey_views.py) --
    "survey.download": {
        "th": "ดาวน์โหลดแบบสำรวจ (XLSForm)",
        "en": "Download survey form",
    },
    "survey.download_hint": {
        "th": "แบบสำรวจครัวเรือนสำหรับ KoBoToolbox หรือ ODK Collect ของกรณีนี้",
        "en": "The household survey of this case for KoBoToolbox or ODK Collect",
    },
    "survey.form_title": {
        "th": "แบบสำรวจครัวเรือน {ref} {community}",
        "en": "Household survey {ref} {community}",
    },
    "survey.consent_refused": {
        "th": "ครัวเรือนไม่ยินยอม การสำรวจสิ้นสุดที่นี่ ไม่ต้องถามข้อต่อไป กรุณาบันทึกและส่งแบบสำรวจ",
        "en": "The household does not consent: the survey ends here. Ask nothing more; save and send the form.",
    },
    "survey.members": {"th": "สมาชิกในครัวเรือน", "en": "Household members"},
    "survey.text_too_long": {
        "th": "ยาวได้ไม่เกิน {n:,} ตัวอักษร",
        "en": "at most {n:,} characters",
    },
    "survey.number_range": {
        "th": "ต้องเป็นจำนวนเต็มระหว่าง {low:,} ถึง {high:,}",
        "en": "must be a whole number between {low:,} and {high:,}",
    },
    "survey.national_id_hint": {
        "th": "ตัวเลข 13 หลัก ไม่ต้องใส่ขีด",
        "en": "13 digits, no dashes",
    },
    "survey.national_id_bad": {
        "th": "เลขประจำตัวประชาชนต้องเป็นตัวเลข 13 หลัก และหลักสุดท้าย (เลขตรวจสอบ) ต้องถูกต้อง กรุณาตรวจว่าพิมพ์ผิดหรือไม่",
        "en": "a national ID number has 13 digits and a valid check digit (the last); check for a mistyped digit",
    },
    "survey.gps_hint": {
        "th": "ยืนหน้าบ้าน รอจนความแม่นยำไม่เกิน {m} เมตร",
        "en": "stand at the front of the house and wait until the accuracy is {m} m or better",
    },
    "survey.gps_inaccurate": {
        "th": "ตำแหน่ง GPS ยังไม่แม่นยำพอ (ต้องไม่เกิน {m} เมตร) กรุณารอสัญญาณแล้ววัดใหม่",
        "en": "the GPS point is not accurate enough (it must be within {m} m); wait for a better signal and record it again",
    },
    "survey.consent_on_future": {
        "th": "วันที่ให้ความยินยอมต้องไม่เป็นวันในอนาคต",
        "en": "the date of consent cannot be in the future",
    },
    "survey.address_hint": {
        "th": "เลือกจังหวัดก่อน แล้วจึงเลือกอำเภอ/เขต และตำบล/แขวง",
        "en": "choose the province first, then the district and the subdistrict",
    },
    "survey.bad_accuracy": {
        "th": "ความแม่นยำของ GPS ต้องอยู่ระหว่าง {low} ถึง {high} เมตร (ได้รับ {value})",
        "en": "the GPS accuracy must be between {low} and {high} m (got {value})",
    },
    "survey.unknown_case": {
        "th": "ไม่พบกรณี {case}",
        "en": "no case {case}",
    },
    "survey.cannot_write": {
        "th": "เขียนไฟล์ {path} ไม่ได้: {reason}",
        "en": "cannot write {path}: {reason}",
    },
    "dash.areas_source": {
        "th": "รหัสและชื่อจังหวัด อำเภอ ตำบล: กรมการปกครอง ผ่านชุดข้อมูล GeoThai/data "
        "(© Pongsakorn Thipayanate, CC-BY-4.0)",
        "en": "Province, district and subdistrict codes and names: Department of Provincial "
        "Administration, via GeoThai/data (© Pongsakorn Thipayanate, CC-BY-4.0)",
    },
    "survey.no_file": {
        "th": "ไม่พบไฟล์ {path}",
        "en": "no such file: {path}",
    },
    "survey.unreadable": {
        "th": "อ่านไฟล์ผลสำรวจ {path} ไม่ได้",
        "en": "cannot read the survey export {path}",
    },
    "survey.import_done": {
        "th": "นำเข้าผลสำรวจของกรณี {case} แล้ว: ครัวเรือนใหม่ {new} ปรับปรุง {updated} "
        "ไม่เปลี่ยนแปลง {unchanged} ขัดแย้งรอตรวจสอบ {conflict} ไม่รับ {refused} "
        "(GPS ไม่แม่นยำ {flagged})",
        "en": "imported the survey of case {case}: {new} new, {updated} updated, "
        "{unchanged} unchanged, {conflict} in conflict for review, {refused} refused "
        "({flagged} with poor GPS)",
    },
    "survey.import_preview": {
        "th": "ตรวจสอบก่อนนำเข้า (ยังไม่บันทึก) กรณี {case}: ครัวเรือนใหม่ {new} ปรับปรุง {updated} "
        "ไม่เปลี่ยนแปลง {unchanged} ขัดแย้ง {conflict} ไม่รับ {refused} (GPS ไม่แม่นยำ {flagged})",
        "en": "preview (nothing saved) for case {case}: {new} new, {updated} updated, "
        "{unchanged} unchanged, {conflict} in conflict, {refused} refused "
        "({flagged} with poor GPS)",
    },
    "survey.import_title": {"th": "นำเข้าผลสำรวจครัวเรือน", "en": "Import the household survey"},
    "survey.import_link": {"th": "นำเข้าผลสำรวจ", "en": "Import the survey"},
    "survey.import_intro": {
        "th": "อัปโหลดไฟล์ที่ส่งออกจาก KoBoToolbox (XLSX, CSV หรือ zip พร้อมรูปถ่าย) หรือ ODK Central "
        "(CSV zip) ระบบจะแสดงผลตรวจสอบก่อน และบันทึกเมื่อกดยืนยันเท่านั้น "
        "รายการที่นำเข้าแล้วจะไม่ถูกนำเข้าซ้ำ",
        "en": "Upload an export from KoBoToolbox (XLSX, CSV, or a zip with the photos) or ODK "
        "Central (CSV zip). You see a preview first; nothing is saved until you confirm. "
        "A submission already imported is never imported twice.",
    },
    "survey.file": {"th": "ไฟล์ผลสำรวจ", "en": "Survey export"},
    "survey.preview_button": {"th": "ตรวจสอบก่อนนำเข้า", "en": "Preview"},
    "survey.confirm_button": {"th": "ยืนยันนำเข้า", "en": "Confirm the import"},
    "survey.preview_title": {
        "th": "ผลตรวจสอบ (ยังไม่บันทึก)",
        "en": "Preview (nothing saved yet)",
    },
    "survey.done_title": {"th": "นำเข้าเรียบร้อย", "en": "Imported"},
    "survey.col_row": {"th": "แถว", "en": "Row"},
    "survey.col_status": {"th": "ผล", "en": "Result"},
    "survey.col_household": {"th": "ครัวเรือนที่", "en": "Household"},
    "survey.col_fields": {"th": "ฟิลด์", "en": "Fields"},
    "survey.col_reason": {"th": "เหตุผล", "en": "Reason"},
    "survey.col_photos": {"th": "รูปถ่าย", "en": "Photos"},
    "survey.gps_flag": {"th": "GPS ไม่แม่นยำ", "en": "Poor GPS"},
    "survey.back_to_case": {"th": "กลับไปหน้ากรณี", "en": "Back to the case"},
    "survey.progress_title": {"th": "ความคืบหน้าการสำรวจ", "en": "Survey progress"},
    "survey.surveyed": {"th": "สำรวจแล้ว", "en": "Surveyed"},
    "survey.not_surveyed": {"th": "ยังไม่สำรวจ", "en": "Not surveyed"},
    "survey.conflicts": {"th": "ข้อขัดแย้งรอตรวจสอบ", "en": "Conflicts waiting for review"},
    "survey.gps_flagged": {"th": "ตำแหน่ง GPS ไม่แม่นยำ", "en": "Poor GPS points"},
    "survey.keep_officer": {"th": "ใช้ค่าของเจ้าหน้าที่", "en": "Keep the officer's value"},
    "survey.keep_survey": {"th": "ใช้ค่าจากการสำรวจ", "en": "Take the survey's value"},
    "survey.officer_value": {"th": "ค่าของเจ้าหน้าที่", "en": "Officer's value"},
    "survey.survey_value": {"th": "ค่าจากการสำรวจ", "en": "Survey's value"},
    "survey.flash_resolved": {"th": "บันทึกการตัดสินแล้ว", "en": "Decision saved"},
    "mapjs.surveyed": {"th": "สำรวจแล้ว", "en": "Surveyed"},
    "mapjs.not_surveyed": {"th": "ยังไม่สำรวจ", "en": "Not surveyed"},
    "survey.gps_point": {"th": "จุด GPS", "en": "GPS point"},
    "survey.no_conflicts": {"th": "ไม่มีข้อขัดแย้ง", "en": "No conflicts"},
    "survey.written": {
        "th": "บันทึกแบบสำรวจ {form} ไว้ที่ {path} แล้ว (รุ่น {version})",
        "en": "wrote the survey form {form} to {path} (version {version})",
    },
    # -- cases from a layer (app/layer_cases_views.py) --
    "layer_cases.title": {"th": "เปิดกรณีจากชั้นข้อมูลชุมชน", "en": "Open cases from a layer"},
    "layer_cases.lead": {
        "th": "เปิดหนึ่งกรณีต่อหนึ่งชุมชนในชั้นข้อมูลที่ยังไม่มีกรณีของโครงการนี้"
        " ขอบเขตชุมชนเป็นขอบเขตพื้นที่ของกรณี ทำซ้ำได้โดยไม่เปิดซ้ำ",
        "en": "One case per community of the layer that has no case of this programme yet;"
        " the community's boundary is the case's site. Running it again opens nothing new.",
    },
    "layer_cases.layer": {"th": "ชั้นข้อมูล", "en": "Layer"},
    "layer_cases.province": {"th": "จังหวัด (รหัสกรมการปกครอง)", "en": "Province (DOPA code)"},
    "layer_cases.district": {"th": "อำเภอ/เขต (รหัสกรมการปกครอง)", "en": "District (DOPA code)"},
    "layer_cases.from_features": {
        "th": "ตามข้อมูลในแต่ละชุมชน",
        "en": "From each feature's fields",
    },
    "layer_cases.codes_hint": {
        "th": "ชุมชนที่มีรหัสจังหวัด/อำเภอ/ตำบลของตนเองในชั้นข้อมูลจะใช้รหัสนั้น",
        "en": "A feature with its own province, district or subdistrict code keeps it.",
    },
    "layer_cases.preview": {"th": "ดูว่าจะเปิดกี่กรณี", "en": "Preview"},
    "layer_cases.confirm": {"th": "ยืนยันเปิด {cases}", "en": "Open {cases}"},
    "layer_cases.will_open": {
        "th": "จะเปิด {cases} จาก {features}",
        "en": "{cases} will be opened from {features}",
    },
    "layer_cases.opened": {
        "th": "เปิดแล้ว {cases} จาก {features}",
        "en": "{cases} opened from {features}",
    },
    "layer_cases.cases": {"th": "{n} กรณี", "en": "{n} cases"},
    "layer_cases.cases_one": {"th": "1 กรณี", "en": "1 case"},
    "layer_cases.features": {"th": "{n} ชุมชน", "en": "{n} features"},
    "layer_cases.features_one": {"th": "1 ชุมชน", "en": "1 feature"},
    "layer_cases.existing": {
        "th": "ชุมชนที่มีกรณีอยู่แล้ว: {n}",
        "en": "Communities that already have a case: {n}",
    },
    "layer_cases.refused": {
        "th": "ไม่ได้เปิดกรณีใด เพราะพบปัญหาต่อไปนี้",
        "en": "No case was opened; these problems were found",
    },
    "imports.show_fields": {
        "th": "แสดงฟิลด์ในไฟล์และจับคู่",
        "en": "Show the file's fields and match them",
    },
    "imports.map_title": {
        "th": "จับคู่ฟิลด์ของไฟล์ {file} กับชั้นข้อมูล {layer}",
        "en": "Match the fields of {file} to layer {layer}",
    },
    "imports.map_hint": {
        "th": "ระบบเลือกให้ตามชื่อที่คล้ายกัน (ไทยหรืออังกฤษ) ตรวจแล้วกดนำเข้า ไม่ต้องเลือกไฟล์อีก"
        " ฟิลด์รหัสชุมชนที่ว่างจะสร้างให้จากชื่อไฟล์และลำดับแถว",
        "en": "Pre-filled by similar names (Thai or English). Check, then Import; no need to"
        " choose the file again. A missing community id is made from the file name and row.",
    },
    "imports.map_layer_field": {"th": "ฟิลด์ของชั้นข้อมูล", "en": "Layer field"},
    "imports.map_file_field": {"th": "ฟิลด์ในไฟล์", "en": "Field in the file"},
    "imports.map_required": {"th": "จำเป็น", "en": "required"},
    "imports.map_profile_extra": {
        "th": "ข้อมูลเพิ่มเติม (ไม่บังคับ)",
        "en": "extra (optional)",
    },
    "imports.map_none": {"th": "— ไม่มี —", "en": "— none —"},
    # -- the national-scale sample (`planner sample --national`, decision 0030) --
    "national.illustrative": {
        "th": "ข้อมูลตัวอย่างทั้งหมด: ชุมชน สิ่งปลูกสร้าง แปลงที่ดิน กรณี และครัวเรือน "
        "สร้างขึ้นเพื่อทดสอบระบบในระดับประเทศ ไม่ใช่ข้อมูลจริง "
        "(รหัสจังหวัด อำเภอ ตำบล เป็นรหัสจริงของกรมการปกครอง จุดกึ่งกลางจังหวัดเป็นค่าประมาณ)",
        "en": "All made up: communities, structures, parcels, cases and households are "
        "illustrative, generated to try the planner at national scale; not real data "
        "(province, district and subdistrict codes are DOPA's real codes; province "
        "centres are approximate)",
    },
    "national.built": {
        "th": "สร้างตัวอย่างระดับประเทศแล้ว (seed {seed}, สัดส่วน {scale}) "
        "ใช้เวลา {seconds} วินาที ใน {store}",
        "en": "built the national-scale sample (seed {seed}, scale {scale}) "
        "in {seconds} s into {store}",
    },
    "national.counts": {
        "th": "ชุมชน {communities:,} แห่งใน {provinces} จังหวัด สิ่งปลูกสร้าง {structures:,} หลัง "
        "แปลงที่ดิน {parcels:,} แปลง กรณี {cases:,} กรณี ครัวเรือน {households:,} ครัวเรือน "
        "เหตุการณ์ขั้นตอน {events:,} รายการ",
        "en": "{communities:,} communities in {provinces} provinces, {structures:,} structures, "
        "{parcels:,} tenure parcels, {cases:,} cases, {households:,} households, "
        "{events:,} stage events",
    },
    "national.timings": {
        "th": "เวลา: สร้างข้อมูล {build_s} วินาที ชั้นข้อมูล {layers_s} วินาที กรณีและครัวเรือน {cases_s} วินาที ไทล์ {tiles_s} วินาที",
        "en": "time: generate {build_s} s, layers {layers_s} s, cases and households {cases_s} s, tiles {tiles_s} s",
    },
    "national.removed": {
        "th": "นำชั้นข้อมูลตัวอย่างคลองเปรมประชากรออกแล้ว: {names}",
        "en": "removed the Khlong Prem corridor sample's other layers: {names}",
    },
    "national.cases_exist": {
        "th": "ที่เก็บกรณีมีอยู่แล้ว {cases:,} กรณี ตัวอย่างระดับประเทศต้องใช้ที่เก็บกรณีที่ว่าง "
        "(PLANNER_HOME ใหม่ หรือฐานข้อมูลใหม่) ไม่ได้เขียนอะไรเลย",
        "en": "the case store already has {cases:,} cases; the national sample needs an empty "
        "case store (a new PLANNER_HOME or database). Nothing was written",
    },
    "national.bad_scale": {
        "th": "--scale ต้องมากกว่า 0 และไม่เกิน 1 (ได้รับ {scale})",
        "en": "--scale must be more than 0 and at most 1 (got {scale})",
    },
    "national.rebuild_too": {
        "th": "--national ใช้ร่วมกับ --rebuild, --no-load หรือ --out ไม่ได้",
        "en": "--national cannot be combined with --rebuild, --no-load or --out",
    },
    # -- backups (app/application/backup.py, `planner backup` and `planner restore`) --
    "backup.out_exists": {
        "th": "มีไฟล์ {path} อยู่แล้ว กรุณาตั้งชื่อไฟล์ใหม่ (การสำรองข้อมูลไม่เขียนทับไฟล์เดิม)",
        "en": "{path} already exists; choose a new file name (a backup never overwrites a file)",
    },
    "backup.no_folder": {
        "th": "เขียนไฟล์ {path} ไม่ได้ เพราะไม่มีโฟลเดอร์นี้",
        "en": "cannot write {path}: no such folder",
    },
    "backup.no_instance": {
        "th": "ไม่พบข้อมูลของระบบที่ {home} ที่จะสำรอง",
        "en": "there is no planner instance at {home} to back up",
    },
    "backup.bad_schema": {
        "th": "ชื่อสคีมา {schema} ใช้ไม่ได้ (ใช้ได้เฉพาะอักษรภาษาอังกฤษตัวเล็ก ตัวเลข และ _)",
        "en": "the schema name {schema} cannot be used (lower-case letters, digits and _ only)",
    },
    "backup.passphrase_short": {
        "th": "รหัสผ่านสำหรับเข้ารหัสต้องยาวอย่างน้อย {n} ตัวอักษร",
        "en": "the passphrase must have at least {n} characters",
    },
    "backup.passphrase_both": {
        "th": "ระบุรหัสผ่านเพียงวิธีเดียว: --passphrase-file หรือ --passphrase-stdin",
        "en": "give the passphrase one way only: --passphrase-file or --passphrase-stdin",
    },
    "backup.passphrase_unreadable": {
        "th": "อ่านไฟล์รหัสผ่าน {path} ไม่ได้: {reason}",
        "en": "cannot read the passphrase file {path}: {reason}",
    },
    "backup.missing_documents": {
        "th": "เอกสารที่ฐานข้อมูลอ้างถึงหายไปหรือเสียหายในโฟลเดอร์ {folder} จำนวน {n} ไฟล์"
        " (เช่น {names}) จึงไม่ได้สร้างไฟล์สำรอง",
        "en": "documents the database refers to are missing or damaged in {folder}: {n}"
        " (e.g. {names}); no backup was written",
    },
    "backup.changed_during": {
        "th": "ไฟล์ {name} ถูกเปลี่ยนระหว่างสำรองข้อมูล จึงไม่ได้สร้างไฟล์สำรอง กรุณาลองอีกครั้ง",
        "en": "{name} changed while it was being backed up; no backup was written, try again",
    },
    "backup.no_pg_tool": {
        "th": "ไม่พบโปรแกรม {tool} ของ PostgreSQL (ค้นใน PATH และ /usr/lib/postgresql/*/bin)"
        " กรุณาติดตั้ง postgresql-client",
        "en": "{tool} (PostgreSQL client) is not on PATH nor in /usr/lib/postgresql/*/bin;"
        " install postgresql-client",
    },
    "backup.no_database": {
        "th": "เชื่อมต่อฐานข้อมูลไม่ได้ (DATABASE_URL): {detail}",
        "en": "cannot connect to the database (DATABASE_URL): {detail}",
    },
    "backup.pg_dump_failed": {
        "th": "pg_dump ทำงานไม่สำเร็จ ไม่ได้สร้างไฟล์สำรอง: {detail}",
        "en": "pg_dump failed; no backup was written: {detail}",
    },
    "backup.written": {
        "th": "สร้างไฟล์สำรองข้อมูล {path} แล้ว ({size} ใน {members} ไฟล์: {cases} กรณี"
        " {households} ครัวเรือน {documents} เอกสาร {layers} ชั้นข้อมูล) ใช้เวลา {seconds} วินาที",
        "en": "backup written: {path} ({size} in {members} files: {cases} cases,"
        " {households} households, {documents} documents, {layers} layers) in {seconds} s",
    },
    "backup.encrypted_note": {
        "th": "เข้ารหัสด้วยรหัสผ่านแล้ว (AES-256-GCM) หากไม่มีรหัสผ่านจะกู้คืนไม่ได้",
        "en": "encrypted with the passphrase (AES-256-GCM); it cannot be restored without it",
    },
    "backup.plain_note": {
        "th": "ไม่ได้เข้ารหัส ไฟล์นี้มีข้อมูลส่วนบุคคล เก็บรักษาให้ปลอดภัยเท่ากับเครื่องแม่ข่าย หรือใช้ --passphrase-file",
        "en": "not encrypted: it holds personal data; keep it as safe as the server,"
        " or use --passphrase-file",
    },
    "backup.left_out": {
        "th": "ไม่ได้รวมไว้ในไฟล์สำรอง: {names} (หลังกู้คืน ระบบสร้างกุญแจเซสชันใหม่ ผู้ใช้ทุกคนต้องเข้าสู่ระบบใหม่)",
        "en": "not in the backup: {names} (a restored instance makes a new session key:"
        " everyone logs in again)",
    },
    "backup.no_archive": {
        "th": "ไม่พบไฟล์สำรองข้อมูล {path}",
        "en": "no such backup file: {path}",
    },
    "backup.not_a_backup": {
        "th": "ไฟล์นี้ไม่ใช่ไฟล์สำรองข้อมูลของระบบ (หรือเสียหายตั้งแต่ต้นไฟล์) ไม่ได้กู้คืนข้อมูลใด",
        "en": "this file is not a planner backup (or is damaged from its start);"
        " nothing was restored",
    },
    "backup.target_not_folder": {
        "th": "{home} เป็นไฟล์ ไม่ใช่โฟลเดอร์",
        "en": "{home} is a file, not a folder",
    },
    "backup.target_not_empty": {
        "th": "โฟลเดอร์ {home} ไม่ว่าง ({entries}) กู้คืนได้เฉพาะในโฟลเดอร์ว่างหรือโฟลเดอร์ใหม่"
        " ไม่ได้เปลี่ยนแปลงข้อมูลใด",
        "en": "{home} is not empty ({entries}); a backup is restored only into an empty or"
        " new folder. Nothing was changed",
    },
    "backup.schema_not_empty": {
        "th": "สคีมา {schema} ในฐานข้อมูลมีตารางอยู่แล้ว {n} ตาราง กู้คืนได้เฉพาะในสคีมาว่าง"
        " (ใช้ฐานข้อมูลอื่น หรือ PLANNER_DATABASE_SCHEMA ชื่อใหม่) ไม่ได้เปลี่ยนแปลงข้อมูลใด",
        "en": "the database schema {schema} already holds tables ({n}); a backup is restored"
        " only into empty schemas (use another database, or a new PLANNER_DATABASE_SCHEMA)."
        " Nothing was changed",
    },
    "backup.schema_taken": {
        "th": "สคีมา {schema} ของไฟล์สำรองนี้มีอยู่แล้วในฐานข้อมูลปลายทาง จึงกู้คืนเป็นสคีมา {target}"
        " ไม่ได้ ให้กู้คืนลงฐานข้อมูลอื่น หรือกู้คืนเป็นสคีมา {schema} เมื่อไม่มีสคีมานั้นแล้ว",
        "en": "this backup's schema {schema} exists in the target database, so it cannot be"
        " restored as {target}; restore into another database, or as {schema} once it is gone",
    },
    "backup.not_encrypted": {
        "th": "ไฟล์สำรองนี้ไม่ได้เข้ารหัส แต่ได้ระบุรหัสผ่านไว้: ไฟล์ที่ไม่เข้ารหัสตรวจสอบแหล่งที่มาไม่ได้"
        " อาจถูกสับเปลี่ยน จึงไม่กู้คืน",
        "en": "this backup is not encrypted, yet a passphrase was given: a plain archive cannot"
        " be authenticated and may have been swapped, so it is not restored",
    },
    "backup.needs_passphrase": {
        "th": "ไฟล์สำรองนี้เข้ารหัสไว้ กรุณาระบุรหัสผ่านด้วย --passphrase-file หรือ --passphrase-stdin",
        "en": "this backup is encrypted; give its passphrase with --passphrase-file"
        " or --passphrase-stdin",
    },
    "backup.wrong_passphrase": {
        "th": "รหัสผ่านไม่ถูกต้อง (หรือส่วนหัวของไฟล์สำรองเสียหาย) ไม่ได้กู้คืนข้อมูลใด",
        "en": "wrong passphrase (or the backup's header is damaged); nothing was restored",
    },
    "backup.damaged": {
        "th": "ไฟล์สำรองเสียหายหรือถูกแก้ไข ({detail}) ไม่ได้กู้คืนข้อมูลใด",
        "en": "the backup is damaged or was changed ({detail}); nothing was restored",
    },
    "backup.newer_format": {
        "th": "ไฟล์สำรองนี้เป็นรูปแบบรุ่น {version} ใหม่กว่าที่ระบบนี้อ่านได้ (รุ่น {supported}) กรุณาปรับรุ่นระบบก่อน",
        "en": "this backup is of format version {version}, newer than this planner reads"
        " ({supported}); update the planner first",
    },
    "backup.kind_is_sqlite": {
        "th": "ไฟล์สำรองนี้มาจากระบบที่ใช้ฐานข้อมูลในเครื่อง (SQLite) ให้ยกเลิก DATABASE_URL ก่อนกู้คืน",
        "en": "this backup is of an embedded (SQLite) instance; unset DATABASE_URL to restore it",
    },
    "backup.kind_is_postgis": {
        "th": "ไฟล์สำรองนี้มาจากระบบที่ใช้ PostGIS ให้กำหนด DATABASE_URL เป็นฐานข้อมูลที่จะกู้คืนลงไป",
        "en": "this backup is of a PostGIS instance; set DATABASE_URL to the database"
        " to restore into",
    },
    "backup.needs_schema": {
        "th": "ตารางของไฟล์สำรองนี้อยู่ในสคีมา {schema} ให้กำหนด PLANNER_DATABASE_SCHEMA"
        " เป็นสคีมาที่จะกู้คืนลงไป",
        "en": "this backup's tables are in schema {schema}; set PLANNER_DATABASE_SCHEMA to"
        " the schema to restore into",
    },
    "backup.no_schema_wanted": {
        "th": "ตารางของไฟล์สำรองนี้อยู่ในสคีมา public และ planner_layers ให้ยกเลิก"
        " PLANNER_DATABASE_SCHEMA ก่อนกู้คืน",
        "en": "this backup's tables are in the schemas public and planner_layers;"
        " unset PLANNER_DATABASE_SCHEMA to restore it",
    },
    "backup.pg_restore_failed": {
        "th": "กู้คืนฐานข้อมูลไม่สำเร็จ และได้ยกเลิกทั้งหมดแล้ว: {detail}",
        "en": "the database restore failed and was undone: {detail}",
    },
    "backup.restored": {
        "th": "กู้คืน {path} ลงใน {home} แล้ว ({cases} กรณี {households} ครัวเรือน {documents} เอกสาร"
        " {layers} ชั้นข้อมูล ข้อมูล ณ {created}) ใช้เวลา {seconds} วินาที",
        "en": "restored {path} into {home} ({cases} cases, {households} households,"
        " {documents} documents, {layers} layers, as of {created}) in {seconds} s",
    },
    "backup.journal_damaged": {
        "th": "บันทึกการลบข้อมูล {path} เสียหาย ({detail}) ไม่ได้สร้างไฟล์สำรอง"
        " กรุณานำบันทึกการลบคืนจากสำเนาของมันก่อน",
        "en": "the erasure journal {path} is damaged ({detail}); no backup was written."
        " Bring the journal back from its own copy first",
    },
    "backup.journal_damaged_restore": {
        "th": "บันทึกการลบข้อมูล {path} เสียหาย ({detail}) ไม่ได้กู้คืนข้อมูลใด"
        " เพราะการกู้คืนโดยไม่มีบันทึกนี้อาจนำข้อมูลของผู้ที่ขอลบแล้วกลับมา",
        "en": "the erasure journal {path} is damaged ({detail}); nothing was restored:"
        " a restore without it could bring erased people back",
    },
    "backup.no_journal": {
        "th": "ไม่ได้ระบุบันทึกการลบข้อมูล (--erasures หรือ PLANNER_ERASURE_JOURNAL)"
        " การลบข้อมูลที่ทำหลังการสำรองจะไม่ถูกทำซ้ำ ข้อมูลที่ลบไปแล้วอาจกลับมา",
        "en": "no erasure journal was given (--erasures or PLANNER_ERASURE_JOURNAL):"
        " erasures made after the backup are not replayed, so erased people may be back",
    },
    "backup.replayed": {
        "th": "ทำการลบข้อมูลซ้ำจาก {path}: {entries} รายการหลังตำแหน่ง {through} ของไฟล์สำรอง"
        " ลบครัวเรือนซ้ำ {erased} ครัวเรือน",
        "en": "erasures replayed from {path}: {entries} entries after the backup's position"
        " {through}; {erased} households erased again",
    },
    "backup.journal_kept": {
        "th": "คัดลอกบันทึกการลบข้อมูลไปที่ {path} ซึ่งเป็นบันทึกของระบบที่กู้คืนแล้ว",
        "en": "the erasure journal was copied to {path}, the restored instance's own",
    },
    "backup.restored_next": {
        "th": "ต่อไป: ตั้งค่า PLANNER_HOME={home} แล้วเริ่มระบบ ผู้ใช้ทุกคนต้องเข้าสู่ระบบใหม่",
        "en": "next: start the planner with PLANNER_HOME={home}; everyone logs in again",
    },
    # -- search (app/search_views.py, templates search.html and _search_box.html) --
    "search.title": {"th": "ค้นหา", "en": "Search"},
    "search.label": {
        "th": "ค้นหากรณี ชุมชน หรือครัวเรือน",
        "en": "Search cases, communities or households",
    },
    "search.placeholder": {
        "th": "ชื่อ เลขที่ หรือรหัส",
        "en": "Name, number or code",
    },
    "search.submit": {"th": "ค้นหา", "en": "Search"},
    "search.hint": {
        "th": "ค้นหาด้วยรหัสกรณี ชื่อกรณี ชื่อหรือรหัสชุมชน ชื่อหัวหน้าครัวเรือน เลขที่ครัวเรือน หรือรหัสบ้าน",
        "en": "Search by case ref or title, community name or code, household head's name,"
        " household number or house code",
    },
    "search.cases": {"th": "กรณี", "en": "Cases"},
    "search.communities": {"th": "ชุมชน", "en": "Communities"},
    "search.households": {"th": "ครัวเรือน", "en": "Households"},
    "search.none": {"th": "ไม่พบ", "en": "None found"},
    "search.found": {"th": "พบ {n} รายการสำหรับ “{q}”", "en": "{n} found for “{q}”"},
    "search.more": {
        "th": "ยังมีผลลัพธ์อีก พิมพ์คำค้นหาให้ละเอียดขึ้น",
        "en": "There are more; make the search more precise",
    },
    "search.households_hidden": {
        "th": "บทบาทของคุณเห็นเฉพาะจำนวนครัวเรือน จึงไม่ค้นหาครัวเรือนรายบุคคล",
        "en": "Your role sees household counts only, so households are not searched",
    },
    "search.household_no": {"th": "ครัวเรือนที่", "en": "Household no."},
    "search.house_code": {"th": "รหัสบ้าน", "en": "House code"},
    "search.case": {"th": "กรณี", "en": "Case"},
    "search.community_cases": {"th": "ดูกรณีของชุมชนนี้", "en": "This community's cases"},
    "search.district": {"th": "อำเภอ/เขต", "en": "District"},
    "search.community_filter": {"th": "ชุมชน", "en": "Community"},
    # The header (app/templates/_header.html) and the error pages (app/errors.py).
    "nav.menu": {"th": "เมนู", "en": "Menu"},
    "nav.menu_close": {"th": "ปิดเมนู", "en": "Close menu"},
    "nav.signed_in_as": {"th": "ผู้ใช้", "en": "Signed in as"},
    "error.go_to_map": {"th": "ไปที่แผนที่", "en": "Go to the map"},
    "error.in_other_language": {"th": "ภาษาไทย", "en": "In English"},
    "error.too_large": {
        "th": "ไฟล์ที่อัปโหลดใหญ่เกินขีดจำกัด {limit} MB",
        "en": "the upload is over the size limit of {limit} MB",
    },
    "error.http.4xx": {"th": "คำขอไม่ถูกต้อง", "en": "The request was not accepted"},
    "error.http.4xx.text": {
        "th": "ระบบรับคำขอนี้ไม่ได้ ตรวจสอบที่อยู่เว็บหรือข้อมูลที่ส่ง แล้วลองอีกครั้ง",
        "en": "The planner could not accept this request. Check the address or what was sent,"
        " and try again.",
    },
    "error.http.5xx": {"th": "เกิดข้อผิดพลาดในระบบ", "en": "Something went wrong on the server"},
    "error.http.5xx.text": {
        "th": "ระบบทำรายการนี้ไม่สำเร็จ ข้อมูลของคุณไม่ได้ถูกเปลี่ยน กรุณาลองใหม่อีกครั้ง หากยังไม่ได้ โปรดแจ้งผู้ดูแลระบบ",
        "en": "The planner could not finish this. Nothing was changed. Try again; if it keeps"
        " happening, tell the administrator.",
    },
    "error.http.400": {"th": "คำขอไม่ถูกต้อง", "en": "Bad request"},
    "error.http.401": {"th": "กรุณาเข้าสู่ระบบก่อน", "en": "Please log in"},
    "error.http.401.text": {
        "th": "หน้านี้ต้องเข้าสู่ระบบก่อนจึงจะเปิดได้",
        "en": "This page needs you to log in first.",
    },
    "error.http.403": {"th": "ไม่มีสิทธิ์เข้าถึง", "en": "Not allowed"},
    "error.http.403.text": {
        "th": "บทบาทของคุณไม่มีสิทธิ์เปิดหน้านี้หรือทำรายการนี้",
        "en": "Your role may not open this page or do this.",
    },
    "error.http.404": {"th": "ไม่พบหน้านี้", "en": "Page not found"},
    "error.http.404.text": {
        "th": "ไม่มีหน้านี้ในระบบ อาจพิมพ์ที่อยู่เว็บผิด หรือหน้านี้ถูกย้ายไปแล้ว",
        "en": "There is no page at this address. It may be mistyped, or the page has moved.",
    },
    "error.http.405": {"th": "ไม่รองรับวิธีเรียกใช้นี้", "en": "Not allowed this way"},
    "error.http.405.text": {
        "th": "หน้านี้เปิดด้วยวิธีนี้ไม่ได้ (HTTP method) กรุณาใช้ลิงก์หรือแบบฟอร์มในหน้าเว็บ",
        "en": "This address cannot be used this way (HTTP method). Use the links and forms"
        " on the pages.",
    },
    "error.http.408": {"th": "หมดเวลารอคำขอ", "en": "The request took too long"},
    "error.http.409": {"th": "ข้อมูลขัดแย้งกับการแก้ไขอื่น", "en": "Conflicting change"},
    "error.http.413": {"th": "ไฟล์หรือคำขอใหญ่เกินกำหนด", "en": "Too large"},
    "error.http.413.text": {
        "th": "ไฟล์หรือข้อมูลที่ส่งมีขนาดใหญ่เกินกว่าที่ระบบรับได้",
        "en": "The file or the data sent is larger than the planner accepts.",
    },
    "error.http.414": {"th": "ที่อยู่เว็บยาวเกินไป", "en": "The address is too long"},
    "error.http.415": {"th": "ไม่รองรับชนิดข้อมูลที่ส่งมา", "en": "Unsupported data type"},
    "error.http.422": {"th": "ข้อมูลที่ส่งมาไม่ถูกต้อง", "en": "The data sent is not valid"},
    "error.http.429": {"th": "ส่งคำขอบ่อยเกินไป", "en": "Too many requests"},
    "error.http.431": {"th": "ส่วนหัวของคำขอใหญ่เกินไป", "en": "Request headers too large"},
    "error.http.500": {"th": "เกิดข้อผิดพลาดในระบบ", "en": "Something went wrong"},
    "error.http.501": {"th": "ยังไม่รองรับรายการนี้", "en": "Not supported"},
    "error.http.502": {"th": "ระบบปลายทางไม่ตอบสนอง", "en": "Bad gateway"},
    "error.http.503": {"th": "ระบบไม่พร้อมให้บริการชั่วคราว", "en": "Temporarily unavailable"},
    "error.http.504": {"th": "ระบบปลายทางตอบช้าเกินไป", "en": "Gateway timeout"},
    # -- codes in words (app/application/words.py): the API's *_label fields --------------
    "words.event.move": {"th": "ย้ายขั้นตอน", "en": "Stage move"},
    "words.requirement.document": {"th": "เอกสาร", "en": "Document"},
    "words.requirement.field": {"th": "ข้อมูลของกรณี", "en": "Case field"},
    "words.requirement.budget": {"th": "งบประมาณที่อนุมัติ", "en": "Approved budget"},
    "words.requirement.households_agreed": {
        "th": "ครัวเรือนที่ยินยอมย้าย",
        "en": "Households agreed to move",
    },
    "words.requirement.transition": {"th": "การย้ายขั้นตอน", "en": "Stage move"},
    "words.audit.create": {"th": "สร้าง", "en": "Created"},
    "words.audit.update": {"th": "แก้ไข", "en": "Changed"},
    "words.audit.delete": {"th": "ลบ", "en": "Deleted"},
    "words.audit.move_stage": {"th": "ย้ายขั้นตอน", "en": "Moved to another stage"},
    "words.audit.members": {"th": "แก้ไขรายชื่อสมาชิกในครัวเรือน", "en": "Household members changed"},
    "words.audit.reveal": {"th": "เปิดดูเลขประจำตัวประชาชน", "en": "National ID number shown"},
    "words.audit.record": {"th": "บันทึก", "en": "Recorded"},
    "words.audit.upload": {"th": "แนบไฟล์", "en": "Uploaded"},
    "words.audit.survey": {"th": "นำเข้าจากแบบสำรวจ", "en": "Imported from a survey"},
    "words.audit.resolve:officer": {
        "th": "ตัดสินข้อขัดแย้ง: ใช้ค่าของเจ้าหน้าที่",
        "en": "Conflict resolved: the officer's value kept",
    },
    "words.audit.resolve:survey": {
        "th": "ตัดสินข้อขัดแย้ง: ใช้ค่าจากแบบสำรวจ",
        "en": "Conflict resolved: the survey's value kept",
    },
    "words.audit.consent:given": {"th": "บันทึกการให้ความยินยอม", "en": "Consent recorded"},
    "words.audit.consent:withdrawn": {"th": "บันทึกการถอนความยินยอม", "en": "Consent withdrawn"},
    "words.audit.subject_access": {
        "th": "ส่งออกข้อมูลให้เจ้าของข้อมูล (มาตรา 30)",
        "en": "Data exported for the data subject (s30)",
    },
    "words.audit.notified": {"th": "บันทึกการแจ้งเหตุ", "en": "Notification recorded"},
    "words.audit.fulfilled": {"th": "ดำเนินการตามคำขอแล้ว", "en": "Request fulfilled"},
    "words.audit.rejected": {"th": "ปฏิเสธคำขอ", "en": "Request rejected"},
    "words.audit.erase": {"th": "ลบข้อมูลส่วนบุคคลตามคำขอ", "en": "Personal data erased"},
    "words.audit.restrict": {"th": "ระงับการใช้ข้อมูล", "en": "Processing held back"},
    "words.audit.lift": {"th": "ยกเลิกการระงับการใช้ข้อมูล", "en": "Hold lifted"},
    "words.entity.case": {"th": "กรณี", "en": "Case"},
    "words.entity.household": {"th": "ครัวเรือน", "en": "Household"},
    "words.entity.plot": {"th": "แปลง", "en": "Plot"},
    "words.entity.document": {"th": "เอกสาร", "en": "Document"},
    "words.entity.budget_line": {"th": "รายการงบประมาณ", "en": "Budget line"},
    "words.entity.layout_decision": {"th": "มติผังชุมชน", "en": "Layout decision"},
    "words.entity.breach": {"th": "เหตุละเมิดข้อมูลส่วนบุคคล", "en": "Personal data breach"},
    "words.entity.pdpa request": {"th": "คำขอของเจ้าของข้อมูล", "en": "Data subject's request"},
}

# -- background jobs (app/application/jobs.py, app/jobs_views.py, templates/jobs/) --
STRINGS.update(
    {
        "nav.jobs": {"th": "งานเบื้องหลัง", "en": "Background jobs"},
        "jobs.title": {"th": "งานเบื้องหลังของคุณ", "en": "Your background jobs"},
        "jobs.lead": {
            "th": "รายงานและไฟล์ที่ใช้เวลานานทำงานอยู่เบื้องหลัง ทำงานอื่นต่อได้ระหว่างรอ",
            "en": "Long reports and files are made in the background: keep working meanwhile.",
        },
        "jobs.none": {"th": "ยังไม่มีงาน", "en": "No jobs yet."},
        "jobs.job_title": {"th": "งาน: {title}", "en": "Job: {title}"},
        "jobs.col.job": {"th": "งาน", "en": "Job"},
        "jobs.col.status": {"th": "สถานะ", "en": "Status"},
        "jobs.col.progress": {"th": "ความคืบหน้า", "en": "Progress"},
        "jobs.col.created": {"th": "สั่งเมื่อ", "en": "Started"},
        "jobs.col.owner": {"th": "ผู้สั่ง", "en": "By"},
        "jobs.created": {"th": "สั่งเมื่อ", "en": "Asked for"},
        "jobs.finished": {"th": "เสร็จเมื่อ", "en": "Finished"},
        "jobs.attempts": {"th": "จำนวนครั้งที่ทำ", "en": "Attempts"},
        "jobs.progress": {"th": "ความคืบหน้าของงาน", "en": "Progress of the job"},
        "jobs.download": {"th": "ดาวน์โหลด {name}", "en": "Download {name}"},
        "jobs.all": {"th": "งานทั้งหมด", "en": "All jobs"},
        "jobs.keep_working": {
            "th": "หน้านี้ปรับเองทุกสองสามวินาที ปิดหรือโหลดใหม่ได้ งานยังทำต่อ",
            "en": "This page updates itself every few seconds; close or reload it, the job"
            " goes on.",
        },
        "jobs.start_site_check": {
            "th": "ทำรายงาน PDF เบื้องหลัง",
            "en": "Make the PDF report in the background",
        },
        "jobs.start_workshop": {
            "th": "ทำแผ่น A3 เบื้องหลัง",
            "en": "Make the A3 sheets in the background",
        },
        "jobs.start_pdpa": {
            "th": "ทำสำเนา PDF เบื้องหลัง",
            "en": "Make the PDF copy in the background",
        },
        "jobs.kind.site_check": {
            "th": "รายงานตรวจสอบพื้นที่ (PDF)",
            "en": "Site check report (PDF)",
        },
        "jobs.kind.workshop_pdf": {
            "th": "ทางเลือกผังชุมชน แผ่น A3 (PDF)",
            "en": "Layout options, A3 sheets (PDF)",
        },
        "jobs.kind.pdpa_export": {
            "th": "สำเนาข้อมูลส่วนบุคคลของครัวเรือน",
            "en": "Household's subject access export",
        },
        "jobs.kind.layer_export": {
            "th": "ส่งออกชั้นข้อมูลขนาดใหญ่",
            "en": "Export of a large layer",
        },
        "jobs.step.export": {"th": "เขียนไฟล์ส่งออก", "en": "Writing the export"},
        "jobs.kind.tiles_build": {
            "th": "ทำไทล์แผนที่ของชั้นข้อมูลขนาดใหญ่",
            "en": "Map tiles of a large layer",
        },
        "jobs.step.tiles": {"th": "ทำไทล์แผนที่", "en": "Making the map tiles"},
        "jobs.err_layer": {"th": "ต้องระบุชื่อชั้นข้อมูล", "en": "name a layer"},
        "jobs.kind.unknown": {"th": "งานชนิดที่ไม่รู้จัก", "en": "Unknown kind of job"},
        "jobs.status.queued": {"th": "รอคิว", "en": "Queued"},
        "jobs.status.running": {"th": "กำลังทำ", "en": "Running"},
        "jobs.status.done": {"th": "เสร็จแล้ว", "en": "Done"},
        "jobs.status.failed": {"th": "ไม่สำเร็จ", "en": "Failed"},
        "jobs.step.queued": {"th": "รอคิว", "en": "Waiting in the queue"},
        "jobs.step.starting": {"th": "เริ่มงาน", "en": "Starting"},
        "jobs.step.retry": {"th": "รอทำใหม่อีกครั้ง", "en": "Waiting to try again"},
        "jobs.step.working": {"th": "กำลังทำงาน", "en": "Working"},
        "jobs.step.read_sites": {"th": "อ่านพื้นที่ที่ตรวจ", "en": "Reading the sites"},
        "jobs.step.read_inputs": {"th": "อ่านชั้นข้อมูลที่ใช้ตรวจ", "en": "Reading the layers"},
        "jobs.step.check.zoning": {"th": "ตรวจผังเมืองรวม", "en": "Checking zoning"},
        "jobs.step.check.tenure": {"th": "ตรวจกรรมสิทธิ์ที่ดิน", "en": "Checking land tenure"},
        "jobs.step.check.setback": {"th": "ตรวจระยะถอยร่นจากคลอง", "en": "Checking canal setback"},
        "jobs.step.check.flood": {"th": "ตรวจความลึกน้ำท่วม", "en": "Checking flood depth"},
        "jobs.step.check.disasters": {"th": "ตรวจภัยพิบัติในอดีต", "en": "Checking past disasters"},
        "jobs.step.pdf.map": {"th": "วาดแผนที่", "en": "Drawing the map"},
        "jobs.step.pdf.sheets": {"th": "วาดแผ่นผัง", "en": "Drawing the sheets"},
        "jobs.step.pdf.layout": {"th": "จัดหน้า PDF", "en": "Laying out the PDF"},
        "jobs.step.pdf.write": {"th": "เขียนไฟล์ PDF", "en": "Writing the PDF"},
        "jobs.step.layouts": {"th": "สร้างทางเลือกผัง", "en": "Making the layout options"},
        "jobs.step.gather": {"th": "รวบรวมข้อมูลของครัวเรือน", "en": "Gathering the household's data"},
        "jobs.step.done": {"th": "เสร็จแล้ว", "en": "Done"},
        "jobs.step.failed": {"th": "ไม่สำเร็จ", "en": "Failed"},
        "jobs.queued": {
            "th": "รับงานแล้ว กำลังทำเบื้องหลัง",
            "en": "Job accepted: it runs in the background.",
        },
        "jobs.err_kind": {"th": "ไม่รู้จักงานชนิด “{kind}”", "en": "no such kind of job: “{kind}”"},
        "jobs.err_role": {
            "th": "บทบาทของคุณไม่มีสิทธิ์สั่งหรือเปิดงานนี้",
            "en": "your role may not run or open this job",
        },
        "jobs.err_not_found": {"th": "ไม่พบงานนี้", "en": "no such job"},
        "jobs.err_not_ready": {"th": "งานนี้ยังไม่เสร็จ", "en": "this job is not done yet"},
        "jobs.err_unexpected": {
            "th": "เกิดข้อผิดพลาดระหว่างทำงาน ระบบบันทึกไว้ให้ผู้ดูแลแล้ว",
            "en": "something went wrong while the job ran; it is logged for the administrator",
        },
        "jobs.err_gave_up": {
            "th": "งานหยุดกลางคันหลายครั้ง จึงเลิกทำ",
            "en": "the job was cut off too many times and was given up",
        },
        "jobs.err_params": {
            "th": "ข้อมูลของงานต้องเป็นออบเจกต์ JSON",
            "en": "the job's params must be a JSON object",
        },
        "jobs.err_lang": {"th": "ภาษาต้องเป็น th หรือ en", "en": "lang must be th or en"},
        "jobs.err_site_ids": {
            "th": "เลือกพื้นที่ (site_ids) อย่างน้อย 1 และไม่เกิน 200 แห่ง",
            "en": "choose between 1 and 200 sites (site_ids)",
        },
        "jobs.err_against": {
            "th": "เรื่องที่ตรวจต้องเป็นรายการจาก: {known}",
            "en": "the checks must be a list from: {known}",
        },
        "jobs.err_rules": {"th": "ไม่มีชุดเกณฑ์นี้", "en": "no such rule set"},
        "jobs.err_case": {
            "th": "ต้องระบุเลขกรณี (case_id) เป็นจำนวนเต็มบวก",
            "en": "case_id must be a positive whole number",
        },
        "jobs.err_body": {
            "th": "ค่าผัง (body) ต้องเป็นออบเจกต์ JSON",
            "en": "body must be a JSON object",
        },
        "jobs.err_household": {
            "th": "ต้องระบุเลขครัวเรือน (household_id) เป็นจำนวนเต็มบวก",
            "en": "household_id must be a positive whole number",
        },
        "jobs.err_format": {"th": "รูปแบบต้องเป็น pdf หรือ json", "en": "format must be pdf or json"},
        "jobs.cli.worker": {
            "th": "ตัวทำงานเบื้องหลังเริ่มแล้ว ({how}) กด Ctrl+C เพื่อหยุด",
            "en": "Worker started ({how}); Ctrl+C stops it",
        },
    }
)

# One label per layer status (gis.catalog.STATUS_LABELS), under the names pages use.
for _status, _label in STATUS_LABELS.items():
    for _prefix in ("layer_status.", "layerStatus.", "overlap.status."):
        STRINGS[_prefix + _status] = _label


def text(key: str, **values) -> tuple[str, str]:
    """(en, th) of `key`, with `values` filled in."""
    entry = STRINGS[key]
    return entry["en"].format(**values), entry["th"].format(**values)


def count_text(key: str, n: int, lang: str, **values) -> str:
    """`key` for a count `n` in `lang`: its singular `<key>_one` when `n` is 1 and the
    catalogue has one ("1 case", not "1 case(s)"), with `n` and `values` filled in."""
    entry = STRINGS.get(f"{key}_one") if n == 1 else None
    return (entry or STRINGS[key])[lang].format(n=n, **values)
