"""PHI redactor: spans of each type, clean sentences left alone, the JSON Lines stream, and a
regression guard on the shared dev set."""

from __future__ import annotations

import io
import itertools
import json
from collections import Counter
from pathlib import Path

import pytest

from skills.phi import Entity, Redaction, redact, redact_stream

PHI_DEV = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "phi-dev.jsonl"

# Written for these tests (not taken from the dev set): (text, [(type, exact span text), ...]).
# Spans are listed in order of appearance; each is looked up after the previous one.
PHI_CASES: list[tuple[str, list[tuple[str, str]]]] = [
    ("Mrs. Delgado in room 412 waited 3 hours for her pain meds", [("NAME", "Delgado")]),
    (
        "pt Harold Jenkins, MRN 00918273, was discharged without his walker",
        [("NAME", "Harold Jenkins"), ("MRN", "00918273")],
    ),
    (
        "her daughter Keisha called 555-310-2288 four times asking for an update",
        [("NAME", "Keisha"), ("PHONE", "555-310-2288")],
    ),
    ("Dr. Patel, MD sat with the family for an hour", [("NAME", "Patel")]),
    ("thanks to Nurse Ramirez for staying late on 5 North", [("NAME", "Ramirez")]),
    ("mr obrien's wife could not find parking after 6pm", [("NAME", "obrien")]),
    ("Shout out to Tamika Washington, RN on 6 West!", [("NAME", "Tamika Washington")]),
    ("billing sent a statement for acct# 88120034 to his old place", [("ID", "88120034")]),
    ("member ID BCX900112233 was keyed wrong so the claim denied", [("ID", "BCX900112233")]),
    ("claim number 2026-004-88817 has been pending since spring", [("ID", "2026-004-88817")]),
    ("DOB 7/4/1949 is written on the whiteboard in the hall", [("DATE", "7/4/1949")]),
    (
        "she came in on March 3rd and PT didn't see her until March 9",
        [("DATE", "March 3rd"), ("DATE", "March 9")],
    ),
    ("surgery was set for 2026-05-12 and nobody told the family", [("DATE", "2026-05-12")]),
    ("fax the records to (555) 404-9921 instead of the old number", [("PHONE", "(555) 404-9921")]),
    (
        "call her son at 555.782.1100 or +1 555 782 1101",
        [("PHONE", "555.782.1100"), ("PHONE", "+1 555 782 1101")],
    ),
    (
        "email jlopez@riverbend.example the discharge packet",
        [("EMAIL", "jlopez@riverbend.example")],
    ),
    ("her SSN 412-55-9087 was printed on the armband label", [("SSN", "412-55-9087")]),
    ("ssn 412559087 was on the fax cover sheet", [("SSN", "412559087")]),
    (
        "the ambulance took him home to 88 Birchwood Lane, Apt 3B at midnight",
        [("ADDRESS", "88 Birchwood Lane, Apt 3B")],
    ),
    ("mail went to 1420 N Elm Street instead of his new place", [("ADDRESS", "1420 N Elm Street")]),
    (
        "MR# 4471902 and medical record 22-918-004 belong to different pts",
        [("MRN", "4471902"), ("MRN", "22-918-004")],
    ),
    ("Chaplain Okonkwo sat with the family all night", [("NAME", "Okonkwo")]),
    ("a visitor named Bethany kept asking for the code to the unit", [("NAME", "Bethany")]),
    ("Ms Nguyen's daughter brought food for the whole unit", [("NAME", "Nguyen")]),
    ("Please thank Marcus from transport, he was great", [("NAME", "Marcus")]),
    ("Gloria Fitzgerald in 7B fell trying to reach the bathroom", [("NAME", "Gloria Fitzgerald")]),
    ("DOB: Jan 5, 1950 and the wrong allergy band", [("DATE", "Jan 5, 1950")]),
    ("her follow-up on 12/03 got canceled twice", [("DATE", "12/03")]),
    ("encounter # 7781200341 shows two admissions", [("ID", "7781200341")]),
    (
        "Sister of pt, Rosalind Achterberg, left 555-402-7719 with the desk",
        [("NAME", "Rosalind Achterberg"), ("PHONE", "555-402-7719")],
    ),
    ("Dr. Grace Whitman walked the family to the chapel", [("NAME", "Grace Whitman")]),
    ("pt leticia o'connor asked for a Spanish interpreter", [("NAME", "leticia o'connor")]),
    (
        "Mr. Abernathy (acct 3390-1128) lives at 401 Cedar Ridge Rd",
        [("NAME", "Abernathy"), ("ID", "3390-1128"), ("ADDRESS", "401 Cedar Ridge Rd")],
    ),
    ("policy # HMN-20034-77 did not match the card", [("ID", "HMN-20034-77")]),
    ("Kudos to Deshawn in EVS for the fast turnaround", [("NAME", "Deshawn")]),
    ("pt DOB 11-02-1957 was asked for it 5 times", [("DATE", "11-02-1957")]),
    (
        "the mom, Priyanka Raman, wants updates at praman@example.com",
        [("NAME", "Priyanka Raman"), ("EMAIL", "praman@example.com")],
    ),
    ("admitted 14 February and still no social work consult", [("DATE", "14 February")]),
]

CLEAN_CASES = [
    "Will someone please fix the Pyxis on 4 West? It has been down since Tuesday.",
    "Grace period for badge renewals should be 30 days, not 14.",
    "Bill the insurance directly instead of mailing patients a paper statement",
    "Hoyer lift in room 612 has a broken strap; work order 448812 was put in.",
    "Foley catheter kits keep running out on 5 North around 0300.",
    "gave Tylenol 650 mg at 2200 and pain went from 8/10 to 4/10",
    "BP was 142/88 in bed 3 of the ICU, rechecked after 15 min",
    "call ext. 4455 or pager 7-2222 for the charge nurse, or x5521 for interpreters",
    "Since 2019 we have had the same broken ice machine on 3 South",
    "IT ticket INC0048213 for the Vocera badges is still open",
    "Ask the Epic trainer to show the new discharge navigator on Monday",
    "Hope this helps: add a Spanish interpreter iPad to every unit",
    "May we get more warm blankets in the ED waiting room?",
    "The Press Ganey scores for 3 East went up 12 points this quarter",
    "We need 2 more CNAs on nights, 7p-7a is brutal #StaffingMatters",
    "Room 1021 bed B has a broken call light and the charge nurse knows",
    "Magnet survey is in June, let's get the unit boards updated",
    "Our Joint Commission visit went well; thanks to everyone in Sterile Processing",
    "Dilaudid 0.5 mg IV q3h PRN was ordered but pharmacy took 90 min",
    "Mark the fall-risk rooms with a yellow star so transport knows",
    "ratios are 1:4 on med surg and 1:2 in the ICU, census was 28 on Saturday",
    "the Bair Hugger in OR 7 has been beeping for 3 days",
    "patient education folders are missing the MyChart sign-up sheet",
    "Frank talk about discharge costs would help families plan",
]

# More of the same, written while widening the rules (also not from the dev set).
MORE_PHI_CASES: list[tuple[str, list[tuple[str, str]]]] = [
    ("Mrs. Johnson in 5102 keeps asking for her glasses", [("NAME", "Johnson")]),
    ("Mr. Lee's daughter wants a call back after 5", [("NAME", "Lee")]),
    ("Can someone call back Tom Baker's wife? she is upset", [("NAME", "Tom Baker")]),
    ("Rosa from registration stayed 2 hrs late to fix it", [("NAME", "Rosa")]),
    ("Big thanks to Jose and Linda on nights", [("NAME", "Jose"), ("NAME", "Linda")]),
    (
        "I took care of Hannah Schultz yesterday and she cried about the bill",
        [("NAME", "Hannah Schultz")],
    ),
    ("Ms. May Chen asked for a vegetarian tray 3 times", [("NAME", "May Chen")]),
    ("Daughter Tamara is the POA and was never called", [("NAME", "Tamara")]),
    ("Pt. Wilson fell in the bathroom on 3/2", [("NAME", "Wilson"), ("DATE", "3/2")]),
    ("Pt name: Ruth Ann Miller, DOB 5/6/1944", [("NAME", "Ruth Ann Miller"), ("DATE", "5/6/1944")]),
    ("ask for Kim in scheduling, she knows the process", [("NAME", "Kim")]),
    ("Ms. Patricia O'Neil-Harris waited 4 hrs in the lobby", [("NAME", "Patricia O'Neil-Harris")]),
    (
        "pt Juan Carlos Ramirez-Lopez needs a Spanish consent form",
        [("NAME", "Juan Carlos Ramirez-Lopez")],
    ),
    ("Mr. and Mrs. Okoro were split up in the ED", [("NAME", "Okoro")]),
    ("Dr. Kim's orders got lost at shift change", [("NAME", "Kim")]),
    ("the family of Jacob Stein brought cookies for the unit", [("NAME", "Jacob Stein")]),
    ("Baby Girl Martinez went to the NICU without a band", [("NAME", "Martinez")]),
    ("spoke to the son, Michael, who said nobody explained the meds", [("NAME", "Michael")]),
    ("pt named jose garcia kept getting called for the wrong test", [("NAME", "jose garcia")]),
    ("tell jenny in pharmacy thanks for the quick verify", [("NAME", "jenny")]),
    ("Nurse Betty Ford-Adams is retiring, let's do a card", [("NAME", "Betty Ford-Adams")]),
    ("our CNA Precious Mbeki gets the best scores", [("NAME", "Precious Mbeki")]),
    ("Darius in EVS found a lost ring and returned it", [("NAME", "Darius")]),
    ("The patient Sean Murphy was moved twice overnight", [("NAME", "Sean Murphy")]),
    (
        "Elena Vasquez-Ortiz (MRN 00772211) was never offered an interpreter",
        [("NAME", "Elena Vasquez-Ortiz"), ("MRN", "00772211")],
    ),
    ("Mr. Thanh Nguyen's son translates for him", [("NAME", "Thanh Nguyen")]),
    ("MR. PATTERSON in bed 4 needs a bariatric chair", [("NAME", "PATTERSON")]),
    ("I want to recognize Hope Delgado for her kindness", [("NAME", "Hope Delgado")]),
    ("Father Brennan comes every Sunday but families don't know", [("NAME", "Brennan")]),
    ("a visitor, Gary, asked for the pt's room number without the code", [("NAME", "Gary")]),
    ("Ana Lucia Ferreira got two bills for the same visit", [("NAME", "Ana Lucia Ferreira")]),
    ("pt sarah o'donnell waited 6 hrs for a bed", [("NAME", "sarah o'donnell")]),
    ("her husband Raj came in every night at 2am", [("NAME", "Raj")]),
    ("Shoutout to Dr. Ibrahim and the whole cath lab", [("NAME", "Ibrahim")]),
    ("Ngoc Anh Le and her mom needed a Vietnamese interpreter", [("NAME", "Ngoc Anh Le")]),
    ("kudos to Marisol on 6 North for catching the wrong-site consent", [("NAME", "Marisol")]),
    ("Dylan (our unit clerk) built a better discharge checklist", [("NAME", "Dylan")]),
    (
        "Can we get Keith Warner a new wheelchair? his broke in the lobby",
        [("NAME", "Keith Warner")],
    ),
    ("Heard Dr. Feldman tell a pt's family the diagnosis in the hallway", [("NAME", "Feldman")]),
    ("the pt, Mrs. Abigail Turner, left AMA", [("NAME", "Abigail Turner")]),
    ("DOB 1961-04-22 was on the menu ticket", [("DATE", "1961-04-22")]),
    ("born 4/22/61 and her daughter is also a pt here", [("DATE", "4/22/61")]),
    (
        "admitted on the 3rd of March and discharged March 9, 2026",
        [("DATE", "3rd of March"), ("DATE", "March 9, 2026")],
    ),
    ("surgery on 4.15.26 got moved twice", [("DATE", "4.15.26")]),
    ("appt on Tues 3/4 was a no show bc no ride", [("DATE", "3/4")]),
    ("DOB: 03-04-1950, which we read out loud at the window", [("DATE", "03-04-1950")]),
    ("his appointment on Feb 2nd was cancelled without a call", [("DATE", "Feb 2nd")]),
    ("the 1st of May", [("DATE", "1st of May")]),
    ("call the daughter at 555 201 3344 after 6", [("PHONE", "555 201 3344")]),
    ("cell (555)201-3344", [("PHONE", "(555)201-3344")]),
    ("she said call 1 (555) 201-3344 not the home phone", [("PHONE", "1 (555) 201-3344")]),
    ("the SNF fax is 555.201.3345", [("PHONE", "555.201.3345")]),
    ("text me at 555-201-3346 x204 with questions", [("PHONE", "555-201-3346")]),
    ("insurance ID: ABC123456789 was typed wrong", [("ID", "ABC123456789")]),
    ("Medicare # 1EG4-TE5-MK73 not on file", [("ID", "1EG4-TE5-MK73")]),
    ("acct no. 000123456 shows a balance", [("ID", "000123456")]),
    ("FIN 123456789 has two admits", [("ID", "123456789")]),
    (
        "group number 88230 and member ID XQJ55512 on the card",
        [("ID", "88230"), ("ID", "XQJ55512")],
    ),
    ("MRN: 12345678", [("MRN", "12345678")]),
    ("med rec # 1234567 is wrong on the label", [("MRN", "1234567")]),
    ("MR 1234567 printed on the visitor badge", [("MRN", "1234567")]),
    ("SS# 123-45-6789 was on the fax", [("SSN", "123-45-6789")]),
    ("social security number 123456789 was read out loud", [("SSN", "123456789")]),
    ("she lives at 123 Main Street and has no ride", [("ADDRESS", "123 Main Street")]),
    ("sent to 45 W. Oak Ave. by mistake", [("ADDRESS", "45 W. Oak Ave")]),
    ("he lives at 22 oak st behind the school", [("ADDRESS", "22 oak st")]),
    (
        "the address on file was 1600 Pennsylvania Avenue NW",
        [("ADDRESS", "1600 Pennsylvania Avenue NW")],
    ),
    (
        "mail goes to PO Box 4471 so the home health nurse can't find her",
        [("ADDRESS", "PO Box 4471")],
    ),
    ("12B Elm St, Apt 3 is the old address", [("ADDRESS", "12B Elm St, Apt 3")]),
    ("email me at jane_doe99@example.org", [("EMAIL", "jane_doe99@example.org")]),
    ("pt Lakisha Freeman-Boyd called 3x asking about her dad", [("NAME", "Lakisha Freeman-Boyd")]),
    ("Mr Gonzales (rm 412) has been NPO since yesterday", [("NAME", "Gonzales")]),
    ("dr patel ordered it but pharmacy never saw it", [("NAME", "patel")]),
    ("mrs. o'malley's son is a lawyer lol", [("NAME", "o'malley")]),
    ("Pt's wife, Dorothea, sleeps in the chair every night", [("NAME", "Dorothea")]),
    ("Thank you Nurse Kayla for staying with my mom", [("NAME", "Kayla")]),
    (
        "a huge thank you to Ifeoma, Bao and Luis in the ED",
        [("NAME", "Ifeoma"), ("NAME", "Bao"), ("NAME", "Luis")],
    ),
    ("Patient: Harold W. Simmons, 82, fell twice", [("NAME", "Harold W. Simmons")]),
    ("Zainab Hussein's discharge was delayed for a ride", [("NAME", "Zainab Hussein")]),
    ("pt is a 67yo named Delores who lives alone", [("NAME", "Delores")]),
    ("Mr. De La Rosa asked for a priest", [("NAME", "De La Rosa")]),
    ("Dr. Mwangi-Otieno explained everything twice", [("NAME", "Mwangi-Otieno")]),
    ("Hi, I'm Tasha, a CNA on 5 East", [("NAME", "Tasha")]),
    ("my patient Mr. Olawale couldn't read the menu", [("NAME", "Olawale")]),
    ("JOHNSON, MARY was written on the door sign", [("NAME", "JOHNSON, MARY")]),
    ("Will Thompson from IT fixed the badge readers", [("NAME", "Will Thompson")]),
    ("born on July 4th, 1976 and still asked 6 times", [("DATE", "July 4th, 1976")]),
    ("the 12th of June was her surgery date", [("DATE", "12th of June")]),
    ("DOB 07.22.1958 on the wristband", [("DATE", "07.22.1958")]),
    ("d.o.b. 1/2/33 was read to the wrong family", [("DATE", "1/2/33")]),
    ("her cell (555)-201-3344 is on the whiteboard", [("PHONE", "(555)-201-3344")]),
    ("+1-555-201-3344 is the son's number", [("PHONE", "+1-555-201-3344")]),
    ("call 555-0142 for the daughter", [("PHONE", "555-0142")]),
    ("Humana ID H12345678 wasn't verified", [("ID", "H12345678")]),
    ("policy 4471-889-002 lapsed", [("ID", "4471-889-002")]),
    ("Claim: 20261104-00023 denied", [("ID", "20261104-00023")]),
    ("auth number 88812234 expired", [("ID", "88812234")]),
    ("subscriber # XEH882219901 on the card", [("ID", "XEH882219901")]),
    ("MBI 1EG4TE5MK73 was wrong", [("ID", "1EG4TE5MK73")]),
    ("mrn#1234567 on the bag", [("MRN", "1234567")]),
    ("medical record no. 7712009 has 2 allergies listed", [("MRN", "7712009")]),
    ("MR#:0012345 is the baby", [("MRN", "0012345")]),
    ("SSN: 123 45 6789 on the form", [("SSN", "123 45 6789")]),
    ("4410 N. Lincoln Ave, Apt 2F is her daughter's", [("ADDRESS", "4410 N. Lincoln Ave, Apt 2F")]),
    ("lives at 88 Old County Rd with no heat", [("ADDRESS", "88 Old County Rd")]),
    ("1200 W Harrison St Unit 5 is the new one", [("ADDRESS", "1200 W Harrison St Unit 5")]),
    ("sent the walker to 25 Main St. Apt 3 by mistake", [("ADDRESS", "25 Main St. Apt 3")]),
    ("the nephew, Andre Baptiste, wants copies", [("NAME", "Andre Baptiste")]),
    ("Mrs. Kowalczyk-Nguyen and her husband", [("NAME", "Kowalczyk-Nguyen")]),
    ("Pt Obi was told to come back Monday", [("NAME", "Obi")]),
    ("Lucia Santos, the patient in 8, had no blanket", [("NAME", "Lucia Santos")]),
    ("praise for Deondre who always restocks", [("NAME", "Deondre")]),
    ("per Dr Chowdhury the pt can eat", [("NAME", "Chowdhury")]),
    (
        "Jun Li (MRN 00551234) waited for a Mandarin interpreter",
        [("NAME", "Jun Li"), ("MRN", "00551234")],
    ),
    ("Ahmed's mom brings him food every day", [("NAME", "Ahmed")]),
    ("pt gabriela ruiz has no phone", [("NAME", "gabriela ruiz")]),
    ("Dr. J. Smith never called the family back", [("NAME", "J. Smith")]),
    ("Nurse Jo stayed an extra hour with the family", [("NAME", "Jo")]),
    ("pt Jo Ann Park was discharged without her glasses", [("NAME", "Jo Ann Park")]),
    ("patient SMITH, JOHN was on the census board in the lobby", [("NAME", "SMITH, JOHN")]),
    ("mrs garcia's son called four times", [("NAME", "garcia")]),
    ("Mon 3/4 she missed PT because transport never came", [("DATE", "3/4")]),
    ("scheduled 2026/03/04 but the letter said April", [("DATE", "2026/03/04")]),
    ("her social is 123-45-6789 and it was on the whiteboard", [("SSN", "123-45-6789")]),
    ("social 123456789 was written on the chart cover", [("SSN", "123456789")]),
    ("MRN-00123456 printed on the diet slip", [("MRN", "00123456")]),
    ("MR number 1234567 on both wristbands", [("MRN", "1234567")]),
    ("Acct# 1234567 was billed twice", [("ID", "1234567")]),
    ("claim ID: CLM123456 was denied", [("ID", "CLM123456")]),
    ("Dec. 12th is when she was admitted", [("DATE", "Dec. 12th")]),
    ("text her daughter Mei at 555 610 7788", [("NAME", "Mei"), ("PHONE", "555 610 7788")]),
    ("Mrs. Adaeze Okonkwo-Eze in 1102 needs a halal tray", [("NAME", "Adaeze Okonkwo-Eze")]),
    ("shout out to Oluwaseun in pharmacy", [("NAME", "Oluwaseun")]),
    ("Mr. Nakamura's wife asked for a recliner", [("NAME", "Nakamura")]),
    ("my pt, Bartholomew Quigley, waited 9 hours", [("NAME", "Bartholomew Quigley")]),
    ("Gwen and Tomas on nights cover for each other", [("NAME", "Gwen"), ("NAME", "Tomas")]),
    (
        "pt Marisol Ortega-Villanueva, DOB 2/14/1977, MRN 00882211",
        [("NAME", "Marisol Ortega-Villanueva"), ("DATE", "2/14/1977"), ("MRN", "00882211")],
    ),
]

MORE_CLEAN_CASES = [
    "Pt in 4 West bed 12 had a BP of 160/95 at 0600 and nobody rechecked",
    "Dr. rounds at 0700 are too early for families",
    "the May schedule came out late and June is worse",
    "Baker Act holds sit in the ED for days",
    "Daisy Award nominations should be easier to submit",
    "Santa visit for peds was a huge hit",
    "Ensure shakes are always out on 3 East",
    "Braden score and Morse fall scale are charted twice",
    "Glasgow Coma Scale training for new grads",
    "Jackson-Pratt drain teaching sheets are outdated",
    "Good Samaritan Hospital sends transfers without reports",
    "St. Luke's does bedside shift report and their scores are higher",
    "Ronald McDonald House is full so families sleep in the lobby",
    "the Epic inbasket gets 200 messages a day",
    "Patience is thin on nights when the ED holds 20 pts",
    "Sunny rooms on the south side get too hot in summer",
    "Rusty wheelchairs in the lobby look terrible",
    "Code Stroke pages go to the wrong pager",
    "Lean Six Sigma project on discharge times",
    "Austin Regional Clinic sends pts over without records",
    "Our HCAHPS scores dropped 5 points in Q3",
    "we need 3 more IV pumps on 7 West, ext 4471 never answers",
    "Rapid Response called 4 times on Tuesday night",
    "Meals on Wheels referrals should start in the hospital",
    "the Hershey kisses at the front desk are a nice touch",
    "Earl Grey tea for pts who don't drink coffee",
    "Grace under pressure is what our night crew has",
    "Walgreens on Main closes at 9 so pts can't fill scripts",
    "Chase bank has an ATM in the lobby that is always broken",
    "Sterling silver jewelry gets lost in the linens",
    "Faith community nurses could follow up after discharge",
    "Will the new tower have family sleep rooms?",
    "Our Lady of Lourdes chapel needs new chairs",
    "Amazon Alexa in rooms for pts to call for help?",
    "Christmas party for pts on the peds floor",
    "the April census was 98% and we ran out of beds",
    "pts ask for Jell-O and graham crackers at night",
    "X-ray takes 2 hrs to come up for portable films",
    "The Vocera on 6 South keeps dropping. work order 55012 is open",
    "Miles and miles of hallway, we need a shuttle",
    "I love the new Hoyer lifts, thanks Facilities!",
    "Ask Pharmacy to stock Narcan kits in the ED",
    "MyChart messages should get a reply in 2 business days",
    "Send the survey to every pt who stays 3+ days",
    "Mother Baby unit needs more breast pumps",
    "pain 6/10 after 2 doses of Norco and she still waited",
    "the 2/3 of pts who speak Spanish get English forms",
    "Dean of the nursing school visited our unit",
    "Nurse Practitioner coverage on weekends is thin",
    "Pt in 412B asked for a Hoyer and we only have one for 32 beds",
    "Vanc trough at 0530, dose was 1.25 g",
    "Pain went from 9/10 to 3/10 after the block",
    "BP 98/60, HR 112, pt was diaphoretic",
    "Pager 2231 goes to the wrong NP after 1900",
    "call x4471 for a sitter",
    "ext 55321 is the bed board",
    "7-4400 is the rapid response line",
    "ticket #INC0099812 still open",
    "WO 778120 for the broken recliner",
    "Since 2020 the family lounge has been closed",
    "2024 was a rough year for staffing",
    "Mondays and Fridays are the worst for discharges",
    "Will is needed to make change happen",
    "Bill pay kiosk in the lobby is broken",
    "Mark the chart when family declines",
    "Rose garden outside the chapel needs weeding",
    "Dawn shift handoff is rushed",
    "Angel Tree gifts for peds",
    "Faith Community Nursing program should visit",
    "English classes for staff would help",
    "American Heart Association guidelines changed",
    "Mayo Clinic has a great model for this",
    "Johns Hopkins does bedside report differently",
    "Magnet designation and Planetree both want this",
    "Lyft rides for discharge would cut wait times",
    "Dilaudid PCA pumps are always missing",
    "Nurses Week gifts were socks again",
    "Posey vest use is down 40%",
    "Sims position for enemas needs a pillow",
    "Epic Haiku app crashes on nights",
    "#ThankANurse #nightshift we did it",
    "Code Silver drill went fine",
    "Tower B, floor 3, has no ice",
    "the Lakeside unit has a great huddle board",
    "Brookdale sends pts back without meds",
    "metoprolol 25 mg PO BID was held",
    "Tylenol 1 g q6h scheduled is better than PRN",
    "the charge nurse on 6 West said 3 admits by 1600",
    "Our 5 North census hit 36 last Tuesday",
    "2-3 days is too long to wait for a PT eval",
    "NICU parents want a place to pump",
    "Chaplain services are only open until 5",
    "the Director of Nursing rounds on Fridays",
    "Dr. on call didn't answer for 45 min",
    "we give 1/2 tab at night for sleep",
    "Room 1412 and 1414 share a wall",
    "15 min rounding is tough with 6 pts",
    "Hope Lodge is full so out of town families sleep in the lobby",
    "the Faith and Spirituality committee meets monthly",
    "pt will need a walker and home PT after discharge",
    "can we get the Bill Pay kiosk fixed",
    "May is Nurses Month, can we do something better than pizza",
    "Grace period for parking tickets should cover the ED",
    "the Rose Garden entrance is closed after 9pm",
    "our Daisy nominee this month is amazing",
    "Sunrise rounds at 0600 wake everyone up",
    "Summer interns need badge access on day 1",
    "Mercy Health transfers come without imaging",
    "the Hospital at Home program has 12 beds",
    "Meds to Beds saves pts a trip to the pharmacy",
    "Care Partner program for families should start on admission",
    "Pet therapy with Buddy the golden retriever on Tuesdays",
    "Ask the Vocera to call the charge nurse, it works 50% of the time",
    "Kronos won't let me punch in from the new tower",
    "We need Spanish and Haitian Creole discharge videos",
    "Bedside shift report with the Epic Rover devices",
    "post-op day 1 pts should walk 3x a day",
    "SCDs on every post-op pt, no exceptions",
    "the family asked if 1/2 the fee could be waived",
]


def expected(text: str, spans: list[tuple[str, str]]) -> list[Entity]:
    out, pos = [], 0
    for kind, span in spans:
        start = text.index(span, pos)
        out.append(Entity(kind, start, start + len(span)))
        pos = start + len(span)
    return out


ALL_PHI = PHI_CASES + MORE_PHI_CASES
ALL_CLEAN = CLEAN_CASES + MORE_CLEAN_CASES


@pytest.mark.parametrize(("text", "spans"), ALL_PHI, ids=[t[:40] for t, _ in ALL_PHI])
def test_phi_found_with_exact_spans(text: str, spans: list[tuple[str, str]]) -> None:
    result = redact(text)
    assert list(result.entities) == expected(text, spans)
    assert result.found
    assert result.types == {kind for kind, _ in spans}
    for kind, span in spans:
        assert f"[{kind}]" in result.text
        assert span not in result.text


@pytest.mark.parametrize("text", ALL_CLEAN, ids=[t[:40] for t in ALL_CLEAN])
def test_clean_text_unchanged(text: str) -> None:
    result = redact(text)
    assert result.entities == ()
    assert result.text == text
    assert not result.found


def test_tags_replace_spans_and_offsets_point_into_the_input() -> None:
    text = "Mr. Ali (MRN 00412233, DOB 3/9/1961) called from 555-201-3344 about 12 Oak St"
    result = redact(text)
    assert result.text == "Mr. [NAME] (MRN [MRN], DOB [DATE]) called from [PHONE] about [ADDRESS]"
    pieces = [text[e.start : e.end] for e in result.entities]
    assert pieces == ["Ali", "00412233", "3/9/1961", "555-201-3344", "12 Oak St"]


def test_entities_are_sorted_and_never_overlap() -> None:
    text = "pt Maria Lopez maria.lopez@example.com 555-201-3344 SSN 123-45-6789 on 4/2"
    ents = redact(text).entities
    assert all(a.end <= b.start for a, b in itertools.pairwise(ents))
    assert [e.type for e in ents] == ["NAME", "EMAIL", "PHONE", "SSN", "DATE"]


def test_empty_text() -> None:
    assert redact("") == Redaction(text="", entities=())


def test_redact_stream_writes_entities_and_errors() -> None:
    lines = [
        json.dumps({"text": "pt Maria Lopez called 555-201-3344"}) + "\n",
        "not json\n",
        json.dumps({"nope": 1}) + "\n",
        "\n",
        json.dumps({"text": "clean idea: more blankets"}) + "\n",
    ]
    out = io.StringIO()
    errors = redact_stream(lines, out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert errors == 2
    assert len(rows) == 4
    assert rows[0] == {
        "text": "pt [NAME] called [PHONE]",
        "entities": [
            {"type": "NAME", "start": 3, "end": 14},
            {"type": "PHONE", "start": 22, "end": 34},
        ],
    }
    assert "error" in rows[1]
    assert "error" in rows[2]
    assert rows[3] == {"text": "clean idea: more blankets", "entities": []}


def test_regression_guard_on_dev_set() -> None:
    if not PHI_DEV.exists():
        pytest.skip(f"dev set not found at {PHI_DEV}")
    gold_by_type: Counter[str] = Counter()
    found_by_type: Counter[str] = Counter()
    clean = changed = 0
    for line in PHI_DEV.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        result = redact(row["text"])
        if not row["entities"]:
            clean += 1
            changed += result.text != row["text"]
        for gold in row["entities"]:
            gold_by_type[gold["type"]] += 1
            found_by_type[gold["type"]] += any(
                e.type == gold["type"] and e.start < gold["end"] and gold["start"] < e.end
                for e in result.entities
            )
    recall = {kind: found_by_type[kind] / n for kind, n in gold_by_type.items()}
    assert min(recall.values()) >= 0.90, recall
    assert changed / clean <= 0.08


def test_identifiers_can_be_cut_from_the_original_text() -> None:
    text = "call Maria Gonzalez at (555) 201-3344 about the shuttle"
    cut = redact(text).cut_from(text)
    assert "Maria" not in cut
    assert "555" not in cut
    assert cut.split() == ["call", "at", "about", "the", "shuttle"]
