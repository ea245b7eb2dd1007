"""Hand-kept vocabulary for name finding: titles, cue words, and words that are not names here.

These lists are about hospital staff writing, not about any one data set: roles and relations
that introduce a person, departments a person is "from", and the capitalized things (drugs,
devices, vendors, languages, eponyms) that the name lists would otherwise take for people.
Staff write in English and Spanish, so each list holds both. Words compared with a folded key
(titles, stop words, places) are written folded ("dona" for "doña"); the cue lists read in the
text itself are written as typed, with and without accents.
"""

from __future__ import annotations

from skills.phi.lexicon import month_numbers
from skills.textkit.words import words

PARTICLES = words(
    "de da del della dos das du di la le van von der den ter ten bin ibn al el los las"
)

# A name follows these even in lowercase ("mr smith", "la sra lupita"); the others only before
# a capital or a listed name ("la señora vive", but "la señora lupita").
STRONG_TITLES = words("mr mrs ms miss mx dr mister sr sra srta dra don dona")
TITLES = STRONG_TITLES | words(
    """senor senora senorita doctor nurse chaplain father fr pastor rev reverend rabbi imam
    prof professor sister officer coach judge captain capt sgt deacon aunt auntie uncle grandma
    grandpa granny nana doctora enfermera enfermero lic licenciado licenciada ing ingeniero
    ingeniera profe profesor profesora maestro maestra padre madre sor hermana hermano capellan
    tia tio abuelita abuelito abuela abuelo"""
)

RELATIONS = words(
    """son daughter wife husband mom mother dad father brother sister niece nephew grandson
    granddaughter grandma grandpa grandmother grandfather aunt uncle cousin friend neighbor
    neighbour caregiver spouse partner fiance fiancee fiancé fiancée boyfriend girlfriend
    roommate guardian stepmom stepdad stepson stepdaughter sibling kid child mama papa
    hijo hija esposo esposa marido mamá papá madre padre hermano hermana nieto nieta abuelo
    abuela abuelito abuelita tío tía tio tia sobrino sobrina primo prima amigo amiga vecino
    vecina cuñado cuñada cunado cunada suegro suegra nuera yerno novio novia compadre comadre
    padrino madrina familiar"""
)
STAFF = words(
    """nurse rn lpn cna tech technician clerk secretary transporter doc doctor physician surgeon
    pharmacist therapist coworker co-worker colleague manager supervisor director volunteer aide
    sitter interpreter chaplain provider np hospitalist resident intern attending educator
    preceptor medic paramedic emt phlebotomist dietitian dietician housekeeper receptionist
    registrar scheduler coordinator navigator counselor worker rep guard officer preceptee
    orientee traveler midwife doula ot pt rt slp
    enfermera enfermero enfermeras médico medico médica medica doctora técnico tecnico técnica
    tecnica camillero camillera recepcionista secretaria secretario compañera compañero
    companera companero colega supervisora jefa jefe residente interna interno voluntario
    voluntaria intérprete interprete capellán capellan terapeuta nutrióloga nutriologa
    farmacéutico farmaceutico farmacéutica farmaceutica cajera cajero guardia afanadora
    asistente trabajadora cirujano cirujana partera coordinadora coordinador"""
)
PATIENTS = words(
    """pt patient pts patients resident client newborn infant toddler vet veteran paciente
    pacientes pte ptes bebé bebe niño niña nino nina joven"""
)
CREDENTIALS = words(
    """RN LPN LVN CNA MD DO NP PA-C PA APRN CRNA BSN MSN DNP PhD PharmD RPh LCSW MSW RRT CCRN CEN
    EMT FNP ARNP RD SLP OTR DPT"""
)
DEPARTMENTS = words(
    """transport transportation evs housekeeping environmental pharmacy registration admitting lab
    labs radiology dietary nutrition security rehab billing chaplaincy him it icu ed er or pacu
    l&d nicu picu micu sicu cvicu tele telemetry oncology peds pediatrics ortho cardiology
    dialysis endo triage nights days evenings weekends materials engineering scheduling desk
    lobby unit floor food case social spiritual patient interpreter volunteer med
    transporte seguridad mantenimiento farmacia admisión admision caja laboratorio cocina
    dietas nutrición nutricion limpieza intendencia urgencias recepción recepcion sistemas
    rayos pediatría pediatria oncología oncologia quirófano quirofano piso turno noche
    archivo informes registro cama cuarto habitación habitacion sala trabajo ucin uci"""
)
# Places and times in DEPARTMENTS that a lowercase word before does not make a name: "mari de
# admisión" is a colleague, but "dosis de la noche" is not.
ROOMS = words(
    """unit floor desk lobby nights days evenings weekends piso turno noche cama cuarto habitación
    habitacion sala trabajo"""
)
# "La bebé de Itzayana": the baby's mother or father is named after these and "de".
BABIES = words("baby bebé bebe bebito bebita")
# After "Name's": what a person has or who they are with.
OWNED = RELATIONS | words(
    """family room bed chart records record scripts meds insurance bill bills home house address
    phone number email pager case appointment appt surgery discharge labs belongings dentures
    glasses hearing walker wheelchair mail letter account people kids children baby visit call
    voicemail ride car keys nurse doctor name"""
)
# What people, not products, do: "Bukola said", "Tigist stayed late".
PERSON_VERBS = words(
    """said says told tells asked asks cried apologized thanked smiled laughed noticed caught
    stayed volunteered sat walked felt wanted wants loves loved knew knows thinks thought
    called calls texted emailed drove lives lived passed speaks spoke understood refused
    signed agreed complained
    dijo dice pidió pidio preguntó pregunto llamó llamo habló hablo llegó llego trajo quiere
    quería queria necesita explicó explico ayudó ayudo organizó organizo hizo vino firmó firmo
    lloró lloro agradeció agradecio sonrió sonrio comentó comento contó conto cantó canto
    estuvo tuvo sabe habla vive falleció fallecio nació nacio"""
)
# "a" is also the Spanish "to" ("gracias a Chuy"), so before a listed name it is no article.
DETERMINERS = words(
    """the a an our their this that these those each every any no its los las un una unos
    unas nuestro nuestra nuestros nuestras este esta estos estas ese esa esos esas cada
    ningun ninguna su sus mi mis"""
)

# A capitalized word after a name-like run makes it an organization or a place ("Mayo Clinic").
# Surnames that are also such words ("Park", "Hall", "Lane") are left out.
ORGANIZATION_WORDS = words(
    """hospital hospitals clinic clinics health healthcare medical center centre care pharmacy
    foundation house lodge university college school church institute insurance group county
    library inc llc co company services homes village manor gardens rehab rehabilitation nursing
    hospice transport transportation ambulance memorial regional community general street st
    avenue ave road rd boulevard blvd award scale score method protocol model unit tower
    building pavilion campus program fund syndrome disease cafe cafeteria store shop garage
    lobby office"""
)
# A lowercase word after a name-like word makes it an eponym, a product or a place
# ("Foley catheter", "Vocera badges", "Westfield hospitals").
THING_WORDS = words(
    """catheter cath caths lift lifts bag bags sign signs scale syndrome disease palsy maneuver
    manoeuvre position drain drains tube tubes collar clamp pump pumps score scores test
    stockings criteria boots chair frame mattress line lines valve needle splint brace procedure
    suction bed beds machine machines monitor badge badges tablet tablets app cart count upgrade
    screen system module survey surveys report dressing dressings wrap gel wipes comments rounds
    ratings grade rating binder visit alert alerts pad pads sheet sheets order orders unit units
    floor hospital hospitals clinic clinics campus campuses office offices site sites location"""
)
# Given names that are also places, and "in", "from", ... before them: "lives in Dallas".
PLACES = words(
    """austin boston charlotte cheyenne cleveland columbus dallas dayton denver houston jackson
    lincoln madison memphis montgomery orlando raleigh reno richmond savannah florence georgia
    virginia carolina dakota indiana montana nevada washington tennessee kentucky texas
    guadalupe mercedes dolores paz socorro victoria monterrey leon durango trinidad florida"""
)
# Places of two words that are each a name or an article, where staff and their patients come
# from: "Los Ángeles" is no Ángeles of the Pérez kind ("los Pérez"), "Little Havana" no person.
PLACE_NAMES = frozenset(
    tuple(place.split())
    for place in (
        "los angeles",
        "las cruces",
        "las vegas",
        "el paso",
        "el salvador",
        "el monte",
        "la habana",
        "la paz",
        "little havana",
        "little haiti",
        "puerto rico",
        "costa rica",
        "san juan",
    )
)
# "Connor and Maricel", "Lupita y Nacho", "Juan e Inés", "Rosa o Pilar".
CONJUNCTIONS = words("and or y e o u")
# Spanish articles: "la Lupita", "los Pérez" name a person after them, never with them.
ARTICLES = words("el la los las")
# A capitalized word after these is a place or an institution: "St. Jude", "Hospital Ángeles",
# "Clínica San José", "colonia Guadalupe".
BEFORE_PLACES = words(
    """st saint mount mt fort ft lake port san santa santo hospital clinica sanatorio colonia
    col nuevo nueva fraccionamiento barrio municipio ciudad estado capilla parroquia iglesia
    templo virgen"""
)
# Months are names too ("June Whitlock", "Jun Li", "Abril"), so they are weak, not stop words.
MONTHS = frozenset(month_numbers())

# Capitalized words that are not people here, although some are in the name lists.
STOPWORDS = words(
    """
    monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays
    thursdays fridays saturdays sundays mon tue tues wed thu thur thurs fri sat sun christmas
    easter thanksgiving halloween hanukkah ramadan kwanzaa eid diwali passover labor memorial
    veterans juneteenth lunes martes miercoles jueves viernes sabado lun mie jue vie sab dom
    navidad pascua

    mr mrs ms miss mx dr mister doctor nurse chaplain father fr pastor rev reverend rabbi imam
    prof professor sister officer coach judge captain capt sgt deacon aunt auntie uncle grandma
    grandpa granny nana st saint baby pt pts rn lpn cna np md pa ok okay lol omg thx pls plz fyi
    asap tbh imo btw idk eta hr prn npo dnr dnar polst icu ed er or pacu nicu picu micu sicu
    cvicu evs hcahps pfac adt ehr emr sr sra srta dra don dona senor senora senorita doctora
    enfermera enfermero lic licenciado licenciada ing ingeniero ingeniera profe abuelita
    abuelito imss issste

    the a an to in on at of for from with by as about into over after before and or but if is
    was are be been it this that these those we you he she they me us them my your his her our
    their who what when where why how not no can could would should did do does has have had
    get got any some each every all both such so just more most many very also only here there
    now then than even still well right said say going go new out up down please thanks thank
    hi hey yes

    god christ lord allah buddha bible quran koran santa covid dios virgen san santo

    english spanish french haitian creole portuguese brazilian mexican somali vietnamese
    mandarin cantonese chinese arabic russian ukrainian polish korean japanese hindi urdu
    bengali punjabi tagalog filipino amharic tigrinya oromo swahili navajo hmong nepali farsi
    dari pashto persian german italian greek hebrew yiddish asl american african asian hispanic
    latino latina latinx european indian native caribbean cuban dominican puerto rican
    salvadoran guatemalan honduran jamaican nigerian ghanaian ethiopian eritrean kenyan
    congolese sudanese afghan iraqi syrian turkish burmese karen karenni cambodian khmer lao
    laotian thai indonesian catholic baptist methodist lutheran muslim jewish hindu sikh mormon
    amish

    epic mychart cerner meditech allscripts athena pyxis omnicell vocera spok kronos workday
    teams zoom outlook excel webex slack breakroom ipad iphone android samsung apple google
    microsoft amazon facebook instagram tiktok youtube netflix spotify uber lyft doordash
    walgreens cvs walmart kroger costco target starbucks dunkin subway alexa siri cortana press
    ganey leapfrog magnet lean kaiser aetna cigna humana anthem bcbs tricare medicare medicaid
    optum stryker hillrom baxter alaris medtronic philips dexcom abbott welch allyn masimo
    nellcor dinamap zoll lifepak purewick coban tegaderm kerlix mepilex xeroform betadine purell
    clorox sani bair hugger accu chek glucerna ensure pedialyte gatorade jello sprite pepsi coke
    vizient sodexo aramark morrison steris xenex rover haiku canto cadence willow beaker

    tylenol motrin advil aleve zofran colace senna miralax dilaudid norco percocet vicodin
    oxycontin ativan xanax haldol seroquel benadryl lasix coumadin eliquis xarelto lovenox
    narcan protonix pepcid keppra lantus humalog novolog toradol flexeril ambien precedex versed
    zosyn rocephin cipro flagyl bactrim keflex augmentin plavix lipitor contin dulcolax
    phenergan reglan compazine robaxin neurontin lyrica ultram tramadol suboxone methadone

    foley hoyer trendelenburg fowler heimlich doppler holter ambu yankauer posey jackson pratt
    hickman broviac groshong salem levin glasgow braden morse apgar swan ganz miami philadelphia
    aspen alzheimer alzheimers parkinson parkinsons crohn crohns hodgkin hodgkins cushing
    addison graves hashimoto huntington tourette asperger guillain barre kawasaki lyme ebola
    raynaud sjogren wernicke korsakoff epstein kaposi downs
    """
)
